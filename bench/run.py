"""`make bench`: seed a realistic database, serve it with gunicorn, measure six endpoints and
certificate PDFs.

A benchmark, not a test: it reports each figure against its target (MET/MISSED) and exits 0
whatever the figures are; it exits non-zero only when the benchmark itself cannot run.
See bench/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import cpu
import load
import pdfgen
import seed
import server
from checks import check_dashboard, check_verify, sign_in, verify_hits
from options import parse_args
from quizload import BURST, BURST_TARGET_S, burst_quiz, measure_quiz, prepare_quiz
from report import evaluate, table
from settings import (
    ARGON2,
    DASHBOARD_PAGE,
    ENDPOINTS,
    PDF_CERTIFICATES,
    QUIZ_LABEL,
    QUIZ_PATH,
    QUIZ_TARGET,
    VERIFY_LABEL,
    VERIFY_MAX_PER_MINUTE,
    VERIFY_PATH,
    WORKER_RSS_TARGET_MB,
)


def say(message: str) -> None:
    print(message, flush=True)


def machine_info(database: seed.Database, tool: str, wrk: str | None) -> dict:
    from importlib.metadata import version

    info = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpuinfo("model name"),
        "memory_total_mb": _meminfo_mb("MemTotal"),
        "load_average_at_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "gunicorn": version("gunicorn"),
        "flask": version("flask"),
        "sqlalchemy": version("sqlalchemy"),
        "database": database.kind,
        "database_version": _database_version(database),
        "tool": tool,
    }
    if tool == "wrk" and wrk:
        info["wrk_version"] = load.wrk_version(wrk)
    return info


def _cpuinfo(key: str) -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _meminfo_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _database_version(database: seed.Database) -> str | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    try:
        with engine.connect() as conn:
            sql = {"sqlite": "SELECT sqlite_version()", "postgresql": "SHOW server_version"}.get(
                database.kind, "SELECT version()"
            )
            return str(conn.execute(text(sql)).scalar())
    except Exception:
        return None
    finally:
        engine.dispose()


def pick_learners(partial: list[str], count: int, rng_seed: int) -> list[str]:
    """Learners with partial progress, spread over the groups, reproducibly."""
    if not partial:
        raise RuntimeError("no seeded learner has partial progress; seed more learners")
    rng = random.Random(rng_seed)  # noqa: S311 - choosing test accounts, not secrets
    if count <= len(partial):
        return rng.sample(partial, count)
    return [partial[i % len(partial)] for i in range(count)]


def measure(
    srv: server.Server,
    args,
    tool: str,
    wrk: str | None,
    path: str,
    cookies,
    paths: list[str] | None = None,
    workdir: Path | None = None,
) -> dict:
    """Warm up, then measure one endpoint; with `paths`, rotate through them (`path` is then
    only the label): wrk runs bench/verify.lua over a file of them."""
    script_args: tuple[str, ...] = ()
    if paths and tool == "wrk":
        if workdir is None:
            raise ValueError("measure: rotating paths with wrk needs a workdir for their file")
        paths_file = workdir / "verify-paths.txt"
        paths_file.write_text("".join(p + "\n" for p in paths))
        script_args = (str(paths_file), str(max(1, min(args.wrk_threads, args.concurrency))))

    def once(seconds: float) -> load.LoadResult:
        if tool == "wrk":
            return load.run_wrk(
                wrk,
                srv.base + ("/" if paths else path),
                cookies[0] if cookies else None,
                concurrency=args.concurrency,
                threads=args.wrk_threads,
                duration=seconds,
                timeout=args.timeout,
                script=load.VERIFY_SCRIPT if paths else None,
                script_args=script_args,
                label=path,
            )
        return load.run_builtin(
            srv.host,
            srv.port,
            path,
            cookies,
            concurrency=args.concurrency,
            duration=seconds,
            max_requests=args.max_requests,
            timeout=args.timeout,
            paths=paths,
        )

    if args.warmup > 0:
        once(args.warmup)
        server.drain(srv, args.timeout * 3)
    meter = cpu.Meter(lambda: [srv.proc.pid, *srv.worker_pids()])
    meter.start()
    result = once(args.duration).as_dict()
    result["cpu_cores"] = meter.stop()
    return result


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    wrk = load.wrk_path()
    if args.tool == "wrk" and not wrk:
        say("bench: --tool wrk, but wrk is not on PATH (apt-get install wrk)")
        return 2
    tool = "wrk" if (args.tool == "wrk" or (args.tool == "auto" and wrk)) else "builtin"
    quiz_tool = tool if args.quiz_tool == "same" else "builtin"

    workdir = Path(tempfile.mkdtemp(prefix="smr-bench-"))
    instance = workdir / "instance"
    instance.mkdir()
    database: seed.Database | None = None
    srv: server.Server | None = None
    try:
        database = seed.prepare_database(args.database_url, workdir)
        say(
            f"seeding {database.kind}: {args.cohorts} cohorts x {args.per_cohort} learners"
            + (f" + one cohort of {args.large_cohort}" if args.large_cohort else "")
            + " …"
        )
        argon2 = ARGON2[args.argon2]
        report = seed.seed(
            database,
            instance,
            cohorts=args.cohorts,
            per_cohort=args.per_cohort,
            large_cohort=args.large_cohort,
            rng_seed=args.seed,
            argon2=argon2,
        )
        say(
            f"  {report.learners} learners, {report.progress_rows} progress rows over "
            f"{report.modules} modules, {report.enrolments} enrolments, {report.coordinators} "
            f"coordinators, {report.quiz_attempts} quiz attempts with {report.quiz_responses} "
            f"responses in {report.seconds:.1f} s"
        )
        certs = report.certificates
        if certs is None or not certs.count:
            raise RuntimeError("no certificates were seeded: no learner finished the modules")
        say(
            f"  {certs.count} certificates ("
            + ", ".join(f"{n} {status}" for status, n in certs.statuses.items())
            + ")"
        )

        secret_key = secrets.token_urlsafe(48)
        settings = {
            "ENV": "benchmark",
            "SECRET_KEY": secret_key,
            "DATABASE_URL": database.url,
            "INSTANCE_PATH": str(instance),
            "ARGON2_TIME_COST": argon2["time_cost"],
            "ARGON2_MEMORY_COST": argon2["memory_cost"],
            "ARGON2_PARALLELISM": argon2["parallelism"],
            "VERIFY_MAX_PER_MINUTE": VERIFY_MAX_PER_MINUTE,
        }
        say(
            f"starting gunicorn with {args.workers} workers "
            f"(SMRESIDENCY_VERIFY_MAX_PER_MINUTE={VERIFY_MAX_PER_MINUTE}) …"
        )
        srv = server.start(settings, args.workers, workdir / "gunicorn.log")
        say(f"  {srv.base}, workers {srv.worker_pids()}")

        endpoints_todo = [
            (label, path.format(cohort=report.large_cohort_id), target, who)
            for label, path, target, who in ENDPOINTS
            if who != "coordinator" or report.large_cohort_id
        ]
        sessions = args.concurrency if tool == "builtin" else 1
        page_bytes: dict[str, int] = {}
        cookies: dict[str | None, list[str]] = {None: []}
        learner_paths = [p for _, p, _, who in endpoints_todo if who == "learner"]
        cookies["learner"] = [
            sign_in(srv, args, email, learner_paths, page_bytes)
            for email in pick_learners(report.partial, sessions, args.seed)
        ]
        say(f"  signed in {sessions} learner(s) with partial progress; pages answer 200")
        if report.large_cohort_id:
            board = [p for _, p, _, who in endpoints_todo if who == "coordinator"]
            cookies["coordinator"] = [
                sign_in(srv, args, report.large_coordinator, board, page_bytes)
                for _ in range(sessions)
            ]
            check_dashboard(srv, args, cookies["coordinator"][0], board[0], args.large_cohort)
            say(
                f"  signed in the large cohort's coordinator; {board[0]} answers 200 and its "
                f"first page lists {min(args.large_cohort, DASHBOARD_PAGE)} learners"
            )

        endpoints = []
        jobs = [(*job, tool) for job in endpoints_todo]
        if quiz_tool != tool:  # the quiz row's ratio is to /healthz measured with its tool
            jobs.insert(1, ("healthz", "/healthz", None, None, quiz_tool))
        for label, path, target, who, this_tool in jobs:
            say(f"measuring {path} with {this_tool} for {args.duration:g} s …")
            result = measure(srv, args, this_tool, wrk, path, cookies[who])
            result.update(
                {
                    "name": label,
                    "target_ratio": target,
                    "page_bytes": page_bytes.get(path),
                    "sends_session_cookie": who,
                }
            )
            endpoints.append(result)

        verify_paths, verify_bytes = check_verify(srv, args, certs)
        say(
            f"  one code of each status shows it with 200, an unknown code 404; measuring "
            f"{VERIFY_PATH} with {tool} for {args.duration:g} s over {len(verify_paths)} codes …"
        )
        result = measure(srv, args, tool, wrk, VERIFY_PATH, [], paths=verify_paths, workdir=workdir)
        result.update(
            {
                "name": VERIFY_LABEL,
                "shown_path": VERIFY_PATH,
                "target_ratio": None,
                "page_bytes": verify_bytes,
                "sends_session_cookie": None,
                "codes": len(verify_paths),
                "codes_by_status": {k: len(v) for k, v in certs.codes.items()},
                "verify_max_per_minute": VERIFY_MAX_PER_MINUTE,
                "rate_limit_hits_after": verify_hits(database),
            }
        )
        endpoints.append(result)

        say("making the pool of open quiz attempts and checking one submission …")
        subs, made = prepare_quiz(srv, args, database, argon2, secret_key)
        say(
            f"  {made['pool_size']} open attempts for {made['learners']} learners "
            f"({made['already_read']} on modules already read, {made['marked_read']} marked "
            f"read now); a submission is graded and recorded, a repeat changes nothing"
        )
        say(
            f"measuring {QUIZ_PATH} with {quiz_tool} for up to {args.duration:g} s "
            f"(until the pool is spent) …"
        )
        result = measure_quiz(srv, args, quiz_tool, wrk, subs, workdir, database, argon2)
        result["pool"].update(made)
        result.update(
            {
                "name": QUIZ_LABEL,
                "shown_path": QUIZ_PATH,
                "target_ratio": QUIZ_TARGET,
                "page_bytes": None,
                "sends_session_cookie": "learner (one per attempt)",
            }
        )
        endpoints.append(result)

        say(f"burst: {BURST} quiz submissions at once, each answered, then read back …")
        burst = burst_quiz(srv, args, subs, database, argon2)
        say(
            f"  {burst['sent']} sent in {burst.get('seconds', '-')} s (target < "
            f"{BURST_TARGET_S:g} s): {burst.get('graded', 0)} graded, {burst.get('lost', 0)} "
            f"lost, {burst.get('errors', 0)} errors; {burst.get('replayed', 0)} replayed "
            f"changed {'something' if burst.get('changed_by_replay') else 'nothing'}  "
            f"{'MET' if burst.get('met') else 'MISSED'}"
        )

        workers = []
        for pid in srv.worker_pids():
            workers.append({"pid": pid, **server.memory(pid), "target_mb": WORKER_RSS_TARGET_MB})
        master = {"pid": srv.proc.pid, **server.memory(srv.proc.pid)}
        evaluate(endpoints, workers)

        pdf: dict = {}
        pdf_ids = [cid for cid, _, _ in certs.sample][:PDF_CERTIFICATES]
        if args.pdf_seconds > 0:
            say(
                f"making certificate PDFs in-process for {args.pdf_seconds:g} s "
                f"({len(pdf_ids)} certificates, a4 and letter) …"
            )
            pdf["in_process"] = pdfgen.measure(
                database,
                argon2,
                srv.base,
                pdf_ids,
                args.pdf_seconds,
                lambda: [srv.proc.pid, *srv.worker_pids()],
            )
        cert_id, owner, _ = next((s for s in certs.sample if s[2] == "valid"), certs.sample[0])
        pdf["http"] = pdfgen.fetch(srv, args.timeout, owner, cert_id)
        pdf["workers_after"] = [{"pid": pid, **server.memory(pid)} for pid in srv.worker_pids()]
        say(
            f"  GET {pdf['http']['path']} as its owner answered {pdf['http']['status']} "
            f"{pdf['http']['content_type']} ({pdf['http']['bytes']} bytes)"
        )

        results = {
            "schema": 3,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(database, tool, wrk),
            "config": {
                "duration": args.duration,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "max_requests": args.max_requests,
                "timeout": args.timeout,
                "workers": args.workers,
                "wrk_threads": args.wrk_threads if "wrk" in (tool, quiz_tool) else None,
                "argon2": args.argon2,
                "signed_in_learners": len(cookies["learner"]),
                "quiz_tool": quiz_tool,
                "quiz_pool_cap": args.quiz_pool,
                "pdf_seconds": args.pdf_seconds,
                "verify_max_per_minute": VERIFY_MAX_PER_MINUTE,
                "database_url": _redacted(args.database_url),
            },
            "seed": {
                "cohorts": report.cohorts,
                "per_cohort": report.per_cohort,
                "large_cohort_id": report.large_cohort_id,
                "large_cohort_learners": report.large_cohort_learners,
                "learners": report.learners,
                "coordinators": report.coordinators,
                "enrolments": report.enrolments,
                "progress_rows": report.progress_rows,
                "modules": report.modules,
                "quiz_attempts": report.quiz_attempts,
                "quiz_responses": report.quiz_responses,
                "attempts_to_pass": report.attempts_to_pass,
                "failed_attempts_on_modules_being_read": report.failed_while_reading,
                "seconds": round(report.seconds, 2),
                "timings": {k: round(v, 3) for k, v in report.timings.items()},
                "completed_modules_histogram": report.progress_histogram,
            },
            "certificates": {
                "count": certs.count,
                "finished": certs.finished,
                "topped_up": certs.topped_up,
                "statuses": certs.statuses,
                "pdf_sample": [
                    {"id": cid, "owner": email, "status": status}
                    for cid, email, status in certs.sample
                ],
            },
            "endpoints": endpoints,
            "quiz_burst": burst,
            "pdf": pdf,
            "workers": workers,
            "master": master,
            "targets": {
                "all_met": all(e["met"] is not False for e in endpoints)
                and all(w["met"] for w in workers),
            },
        }
        results["machine"]["load_average_at_end"] = list(os.getloadavg())
        if quiz_tool == "wrk" and wrk and "wrk_version" not in results["machine"]:
            results["machine"]["wrk_version"] = load.wrk_version(wrk)
        srv.stop()
        srv = None
        results["seconds_total"] = round(time.perf_counter() - started, 1)
        say("")
        say(table(results))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
        say(f"\nwrote {args.output}")
        return 0
    except (Exception, SystemExit) as err:
        message = err if not isinstance(err, SystemExit) else err.code
        say(f"bench: could not run: {message}")
        if srv is not None:
            say(f"gunicorn log ends with:\n{srv.log_tail()}")
        return 1
    finally:
        if srv is not None:
            srv.stop()
        if database is not None:
            try:
                database.drop()
            except Exception as err:
                say(f"bench: could not drop the benchmark database: {err}")
        shutil.rmtree(workdir, ignore_errors=True)


def _redacted(url: str | None) -> str | None:
    if not url:
        return None
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
