"""One database's run: seed it, serve it with gunicorn, measure, and the figures as JSON.

run.py calls this once per database (SQLite, then PostgreSQL when there is one).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import cpu
import database as databases
import pdfgen
import seed
import server
import wrk as wrk_tool
from checks import check_dashboard, check_verify, sign_in, verify_hits
from machine import machine_info
from measure import measure, pick_learners
from quizload import burst_quiz, measure_quiz, prepare_quiz
from report import burst_line
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
from targets import disturbed, evaluate, judge, pdf_rate


def run_one(args, database_url: str | None, tool: str, quiz_tool: str, wrk, say) -> dict:
    """Everything from seeding to clean-up against one database; returns its figures.

    Raises when the benchmark itself cannot run; the server is stopped, a PostgreSQL
    database it created is dropped and the temporary directory removed in every case.
    """
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="smr-bench-"))
    instance = workdir / "instance"
    instance.mkdir()
    database: databases.Database | None = None
    srv: server.Server | None = None
    try:
        database = databases.prepare_database(database_url, workdir)
        watched = database.url.rsplit("/", 1)[-1] if database.kind == "postgresql" else None
        cpu.watch_database(watched)
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
            burst=args.burst,
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
        subs, made, burst_subs = prepare_quiz(srv, args, database, argon2, secret_key)
        say(
            f"  {made['pool_size']} open attempts for {made['learners']} learners "
            f"({made['already_read']} on modules already read, {made['marked_read']} marked "
            f"read now), and {len(burst_subs)} for the burst's own learners; a submission is "
            "graded and recorded, a repeat changes nothing"
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

        say(f"burst: {len(burst_subs)} quiz submissions at once, each answered, then read back …")
        burst = burst_quiz(srv, args, burst_subs, database, argon2)
        say("  " + burst_line(burst))

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
        say("keeping the fetched certificate's PDFs (flask certificates pdfs --missing --id N) …")
        # the benchmark's server runs no job worker, so make the PDFs as a deployment's would
        pdf["pregenerated"] = pdfgen.pregenerate(database, argon2, srv.base, [cert_id])
        pdf["http"] = pdfgen.fetch(srv, args.timeout, owner, cert_id)
        pdf["workers_after"] = [{"pid": pid, **server.memory(pid)} for pid in srv.worker_pids()]
        say(
            f"  GET {pdf['http']['path']} as its owner answered {pdf['http']['status']} "
            f"{pdf['http']['content_type']} ({pdf['http']['bytes']} bytes)"
        )

        results = {
            "database": database.kind,
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
                "database_url": databases.redacted(database_url),
                "burst": args.burst,
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
                "burst_learners": report.burst_learners,
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
        }
        results["machine"]["load_average_at_end"] = list(os.getloadavg())
        if quiz_tool == "wrk" and wrk and "wrk_version" not in results["machine"]:
            results["machine"]["wrk_version"] = wrk_tool.wrk_version(wrk)
        burst["disturbed"] = disturbed(burst.get("cpu_cores"))
        pdf_rate(pdf)
        results["targets"] = judge(results)
        srv.stop()
        srv = None
        results["seconds"] = round(time.perf_counter() - started, 1)
        return results
    except BaseException:
        if srv is not None:
            say(f"gunicorn log ends with:\n{srv.log_tail()}")
        raise
    finally:
        cpu.watch_database(None)
        if srv is not None:
            srv.stop()
        if database is not None:
            try:
                database.drop()
            except Exception as err:
                say(f"bench: could not drop the benchmark database: {err}")
        shutil.rmtree(workdir, ignore_errors=True)
