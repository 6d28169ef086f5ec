"""`make bench`: seed a realistic database, serve it with gunicorn, measure three pages.

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
import seed
import server

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "results.json"
COURSE = f"/courses/{seed.COURSE_SLUG}"

# (label, path, target as a fraction of /healthz req/s, sends the session cookie)
ENDPOINTS = [
    ("healthz", "/healthz", None, False),
    ("course page", COURSE, 0.4, True),
    ("module page", f"{COURSE}/modules/01-why-social-media", 0.5, True),
]
WORKER_RSS_TARGET_MB = 120
OTHER_CPU_WARNING = 0.2  # cores used by unrelated processes that make a run suspect

ARGON2 = {
    # What tests/e2e/conftest.py gives its live server: sign-ins cost next to nothing.
    "cheap": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    # The app's own defaults (auth/passwords.py): each sign-in allocates 19 MiB in a worker.
    "production": {"time_cost": 2, "memory_cost": 19456, "parallelism": 1},
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/run.py",
        description=(
            "Seed a fresh database (real migrations, the real course from course_content/, "
            "GROUPS x PER_GROUP learners with progress), serve it with gunicorn on 127.0.0.1, "
            "sign learners in through /login and measure /healthz, the course page and a module "
            "page. Prints a table with each figure against its target and writes the same "
            "figures as JSON. Exits 0 whether targets are met or missed; non-zero only when the "
            "benchmark cannot run."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    load_opts = p.add_argument_group("load")
    load_opts.add_argument(
        "--duration",
        type=float,
        default=8.0,
        metavar="SECONDS",
        help="measured time per endpoint (wrk rounds it to whole seconds)",
    )
    load_opts.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="unmeasured load per endpoint before its measurement; 0 to skip",
    )
    load_opts.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="simultaneous connections (and, with the built-in client, signed-in learners)",
    )
    load_opts.add_argument(
        "--max-requests",
        type=int,
        default=50_000,
        metavar="N",
        help="hard cap on requests per endpoint measurement (built-in client; wrk is bounded "
        "by --duration only)",
    )
    load_opts.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="per-request timeout",
    )
    load_opts.add_argument(
        "--tool",
        choices=("auto", "wrk", "builtin"),
        default="auto",
        help="load generator: auto uses wrk when it is on PATH, else the built-in client",
    )
    load_opts.add_argument(
        "--wrk-threads",
        type=int,
        default=min(2, os.cpu_count() or 1),
        metavar="N",
        help="wrk threads (never more than --concurrency)",
    )
    srv = p.add_argument_group("server")
    srv.add_argument("--workers", type=int, default=2, metavar="N", help="gunicorn workers")
    srv.add_argument(
        "--argon2",
        choices=tuple(ARGON2),
        default="production",
        help="password-hash cost the server runs with: production (the app's defaults, so a "
        "worker's peak memory includes one real password check) or cheap (as the browser "
        "tests' live server)",
    )
    data = p.add_argument_group("data")
    data.add_argument(
        "--database-url",
        metavar="URL",
        help="default: a new SQLite file in a temporary directory. A PostgreSQL URL (e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres) names a server: the run "
        "creates a database of its own there and drops it at the end. A sqlite:///PATH URL "
        "must name a file that does not exist yet; it is left behind",
    )
    data.add_argument("--groups", type=int, default=50, metavar="N", help="groups of learners")
    data.add_argument(
        "--per-group", type=int, default=20, metavar="N", help="learners in each group"
    )
    data.add_argument(
        "--seed", type=int, default=20240601, metavar="N", help="random seed for the progress"
    )
    out = p.add_argument_group("output")
    out.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        metavar="PATH",
        help="where to write the results as JSON",
    )
    args = p.parse_args(argv)
    for name in ("duration", "concurrency", "max_requests", "timeout", "workers", "wrk_threads"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive")
    for name in ("warmup", "groups", "per_group"):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must not be negative")
    if args.groups * args.per_group < 1:
        p.error("seed at least one learner")
    return args


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


def measure(srv: server.Server, args, tool: str, wrk: str | None, path: str, cookies) -> dict:
    """Warm up, then measure one endpoint."""

    def once(seconds: float) -> load.LoadResult:
        if tool == "wrk":
            return load.run_wrk(
                wrk,
                srv.base + path,
                cookies[0] if cookies else None,
                concurrency=args.concurrency,
                threads=args.wrk_threads,
                duration=seconds,
                timeout=args.timeout,
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
        )

    if args.warmup > 0:
        once(args.warmup)
    meter = cpu.Meter(lambda: [srv.proc.pid, *srv.worker_pids()])
    meter.start()
    result = once(args.duration).as_dict()
    result["cpu_cores"] = meter.stop()
    return result


def evaluate(endpoints: list[dict], workers: list[dict]) -> None:
    """Ratios to /healthz and MET/MISSED, in place."""
    floor = endpoints[0]["rps"]
    for e in endpoints:
        e["ratio_to_healthz"] = round(e["rps"] / floor, 3) if floor else None
        if e["target_ratio"] is None:
            e["met"] = None
        else:
            e["met"] = (
                e["ratio_to_healthz"] is not None and e["ratio_to_healthz"] >= e["target_ratio"]
            )
    for w in workers:
        w["met"] = w["peak_rss_mb"] is not None and w["peak_rss_mb"] <= w["target_mb"]


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(results: dict) -> str:
    head = ("endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms", "x healthz", "target")
    rows = []
    for e in results["endpoints"]:
        target = (
            "(baseline)"
            if e["target_ratio"] is None
            else f">= {e['target_ratio']:.2f}  {'MET' if e['met'] else 'MISSED'}"
        )
        rows.append(
            (
                e["path"],
                str(e["requests"]),
                str(e["errors"]),
                _fmt(e["rps"], ".1f"),
                _fmt(e["p50_ms"], ".2f"),
                _fmt(e["p99_ms"], ".2f"),
                _fmt(e["ratio_to_healthz"], ".2f"),
                target,
            )
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells) -> str:
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
        out.append(cells[-1].ljust(widths[-1]))
        return "  ".join(out).rstrip()

    lines = [line(head), line(["-" * w for w in widths])]
    lines += [line(r) for r in rows]
    lines.append("")
    whead = ("gunicorn worker", "peak RSS (VmHWM)", "RSS now", "target")
    wrows = [
        (
            f"pid {w['pid']}",
            f"{_fmt(w['peak_rss_mb'], '.1f')} MB",
            f"{_fmt(w['rss_mb'], '.1f')} MB",
            f"<= {w['target_mb']} MB  {'MET' if w['met'] else 'MISSED'}",
        )
        for w in results["workers"]
    ]
    wwidths = [max(len(r[i]) for r in [whead, *wrows]) for i in range(len(whead))]

    def wline(cells) -> str:
        out = [cells[0].ljust(wwidths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:-1], wwidths[1:-1], strict=True)]
        out.append(cells[-1].ljust(wwidths[-1]))
        return "  ".join(out).rstrip()

    lines += [wline(whead), wline(["-" * w for w in wwidths])]
    lines += [wline(r) for r in wrows]
    m, c = results["machine"], results["config"]
    lines.append("")
    lines.append(
        f"{m['cpu_count']} CPUs, Python {m['python']}, {m['database']} {m['database_version']}, "
        f"tool {m['tool']}, {c['workers']} workers, {c['concurrency']} connections, "
        f"{c['duration']:g} s per endpoint after {c['warmup']:g} s warm-up, "
        f"argon2 {c['argon2']}; {results['seed']['learners']} learners, "
        f"{results['seed']['progress_rows']} progress rows"
    )
    others = [e["cpu_cores"]["other"] for e in results["endpoints"]]
    others = [o for o in others if o is not None]
    if others:
        worst = max(others)
        lines.append(
            f"other processes used up to {worst:.2f} of {m['cpu_count']} CPUs during a "
            "measurement"
            + (
                ": the figures are disturbed, rerun on a quiet machine."
                if worst > OTHER_CPU_WARNING
                else "."
            )
        )
    if m["tool"] == "builtin":
        lines.append(
            "note: the built-in client is Python and shares the CPUs with the server, so it "
            "caps /healthz first and the ratios read high; with wrk installed they are truer."
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    wrk = load.wrk_path()
    if args.tool == "wrk" and not wrk:
        say("bench: --tool wrk, but wrk is not on PATH (apt-get install wrk)")
        return 2
    tool = "wrk" if (args.tool == "wrk" or (args.tool == "auto" and wrk)) else "builtin"

    workdir = Path(tempfile.mkdtemp(prefix="smr-bench-"))
    instance = workdir / "instance"
    instance.mkdir()
    database: seed.Database | None = None
    srv: server.Server | None = None
    try:
        database = seed.prepare_database(args.database_url, workdir)
        say(f"seeding {database.kind}: {args.groups} groups x {args.per_group} learners …")
        argon2 = ARGON2[args.argon2]
        report = seed.seed(
            database,
            instance,
            groups=args.groups,
            per_group=args.per_group,
            rng_seed=args.seed,
            argon2=argon2,
        )
        say(
            f"  {report.learners} learners, {report.progress_rows} progress rows over "
            f"{report.modules} modules in {report.seconds:.1f} s"
        )

        settings = {
            "ENV": "benchmark",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database.url,
            "INSTANCE_PATH": str(instance),
            "ARGON2_TIME_COST": argon2["time_cost"],
            "ARGON2_MEMORY_COST": argon2["memory_cost"],
            "ARGON2_PARALLELISM": argon2["parallelism"],
        }
        say(f"starting gunicorn with {args.workers} workers …")
        srv = server.start(settings, args.workers, workdir / "gunicorn.log")
        say(f"  {srv.base}, workers {srv.worker_pids()}")

        sessions = args.concurrency if tool == "builtin" else 1
        learners = pick_learners(report.partial, sessions, args.seed)
        cookies = []
        page_bytes: dict[str, int] = {}
        for email in learners:
            browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
            browser.sign_in(email, seed.PASSWORD)
            for _, path, _, with_cookie in ENDPOINTS:
                if with_cookie:
                    page_bytes[path] = browser.check(path)
            cookies.append(browser.cookie_header)
        say(f"  signed in {len(cookies)} learner(s) with partial progress; pages answer 200")

        endpoints = []
        for label, path, target, with_cookie in ENDPOINTS:
            say(f"measuring {path} with {tool} for {args.duration:g} s …")
            result = measure(srv, args, tool, wrk, path, cookies if with_cookie else [])
            result.update(
                {
                    "name": label,
                    "target_ratio": target,
                    "page_bytes": page_bytes.get(path),
                    "sends_session_cookie": with_cookie,
                }
            )
            endpoints.append(result)

        workers = []
        for pid in srv.worker_pids():
            workers.append({"pid": pid, **server.memory(pid), "target_mb": WORKER_RSS_TARGET_MB})
        master = {"pid": srv.proc.pid, **server.memory(srv.proc.pid)}
        evaluate(endpoints, workers)

        results = {
            "schema": 1,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(database, tool, wrk),
            "config": {
                "duration": args.duration,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "max_requests": args.max_requests,
                "timeout": args.timeout,
                "workers": args.workers,
                "wrk_threads": args.wrk_threads if tool == "wrk" else None,
                "argon2": args.argon2,
                "signed_in_learners": len(cookies),
                "database_url": _redacted(args.database_url),
            },
            "seed": {
                "groups": report.groups,
                "learners": report.learners,
                "progress_rows": report.progress_rows,
                "modules": report.modules,
                "seconds": round(report.seconds, 2),
                "timings": {k: round(v, 3) for k, v in report.timings.items()},
                "completed_modules_histogram": report.progress_histogram,
                "cohorts": None,  # seeded once the cohorts feature exists
            },
            "endpoints": endpoints,
            "workers": workers,
            "master": master,
            "targets": {
                "all_met": all(e["met"] is not False for e in endpoints)
                and all(w["met"] for w in workers),
            },
        }
        results["machine"]["load_average_at_end"] = list(os.getloadavg())
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
