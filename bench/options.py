"""The command line of `make bench` (bench/run.py --help)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from settings import ARGON2, DEFAULT_OUTPUT


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/run.py",
        description=(
            "Seed a fresh database (real migrations, the real course from course_content/, "
            "COHORTS x PER_COHORT learners plus one cohort of LARGE_COHORT, each cohort with a "
            "coordinator, progress and submitted quiz attempts), serve it with gunicorn on "
            "127.0.0.1, sign in through /login and measure /healthz, the course page, a module "
            "page, the large cohort's dashboard (as its coordinator), the public certificate "
            "verification page (rotating through every seeded code) and quiz submission (a pool "
            "of open attempts, each submitted once), sends 2,000 quiz submissions at once, then "
            "times certificate PDFs in-process and fetches one over HTTP; on SQLite, then on "
            "PostgreSQL when a server answers (--postgres). Prints a table with each figure "
            "against its target and writes the same figures as JSON. Exits 0 whether targets "
            "are met or missed; non-zero only when the benchmark cannot run."
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
        "--quiz-tool",
        choices=("same", "builtin"),
        default="same",
        help="load generator for quiz submission: the same as --tool (wrk runs bench/submit.lua) "
        "or always the built-in client; when they differ /healthz is measured with both and "
        "each ratio is to the /healthz of its own tool",
    )
    load_opts.add_argument(
        "--quiz-pool",
        type=int,
        default=4000,
        metavar="N",
        help="at most this many open attempts are made for quiz submission (one per learner and "
        "module a quiz could be started on); its load stops early when they are all submitted",
    )
    load_opts.add_argument(
        "--burst",
        type=int,
        default=2000,
        metavar="N",
        help="quiz submissions sent at once after the measurement, from open attempts of N "
        "learners seeded for it alone (the target is for 2,000); 0 skips the burst",
    )
    load_opts.add_argument(
        "--pdf-seconds",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="time spent making certificate PDFs in-process (one worker's rate); 0 to skip it "
        "(one PDF is still fetched over HTTP)",
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
        action="append",
        help="measure this database instead of the defaults (SQLite, then --postgres); repeat "
        "it to measure several in one run, 'sqlite' for a new SQLite file. A PostgreSQL URL "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) names a server: the run "
        "creates a database of its own there and drops it at the end. A sqlite:///PATH URL "
        "must name a file that does not exist yet; it is left behind",
    )
    data.add_argument(
        "--postgres",
        metavar="URL|auto|off",
        default="auto",
        help="after SQLite, measure PostgreSQL on this server in the same run (a database of "
        "its own, dropped at the end); auto: postgresql+psycopg://postgres@127.0.0.1:5432/"
        "postgres when something answers there, else the report says it was skipped; off: "
        "SQLite only. Ignored with --database-url",
    )
    data.add_argument(
        "--cohorts",
        "--groups",
        type=int,
        default=50,
        metavar="N",
        help="cohorts of PER_COHORT learners, each with a coordinator",
    )
    data.add_argument(
        "--per-cohort",
        "--per-group",
        type=int,
        default=20,
        metavar="N",
        help="learners in each of those cohorts",
    )
    data.add_argument(
        "--large-cohort",
        type=int,
        default=200,
        metavar="N",
        help="learners in one more cohort, whose dashboard is measured; 0 for none (then the "
        "dashboard is not measured)",
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
    for name in (
        "warmup",
        "cohorts",
        "per_cohort",
        "large_cohort",
        "quiz_pool",
        "pdf_seconds",
        "burst",
    ):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must not be negative")
    if args.cohorts * args.per_cohort < 1:
        p.error("seed at least one learner in the ordinary cohorts")
    return args
