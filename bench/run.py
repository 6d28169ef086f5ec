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
from urllib.parse import parse_qsl, urlencode

import cpu
import load
import pdfgen
import seed
import server

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "results.json"
COURSE = f"/courses/{seed.COURSE_SLUG}"

# (label, path, target as a fraction of /healthz req/s, whose session cookie it sends).
# "{cohort}" is the large cohort's id.
ENDPOINTS = [
    ("healthz", "/healthz", None, None),
    ("course page", COURSE, 0.4, "learner"),
    ("module page", f"{COURSE}/modules/01-why-social-media", 0.5, "learner"),
    ("cohort dashboard", "/cohorts/{cohort}", 0.1, "coordinator"),
]
QUIZ_LABEL, QUIZ_PATH, QUIZ_TARGET = "quiz submission", "POST /quiz/<token>", 0.25
VERIFY_LABEL, VERIFY_PATH = "verification page", "/verify/<code>"  # no target
# The server's VERIFY_MAX_PER_MINUTE (default 30 per address): far above anything 8
# connections from one address can send, so the page is measured, not its 429 refusals.
VERIFY_MAX_PER_MINUTE = 10_000_000
PDF_CERTIFICATES = 9  # certificates the in-process PDF loop goes round (3 of each status)
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
            "COHORTS x PER_COHORT learners plus one cohort of LARGE_COHORT, each cohort with a "
            "coordinator, progress and submitted quiz attempts), serve it with gunicorn on "
            "127.0.0.1, sign in through /login and measure /healthz, the course page, a module "
            "page, the large cohort's dashboard (as its coordinator), the public certificate "
            "verification page (rotating through every seeded code) and quiz submission (a pool "
            "of open attempts, each submitted once), then times certificate PDFs in-process and "
            "fetches one over HTTP. Prints a table with each figure against its "
            "target and writes the same figures as JSON. Exits 0 whether targets are met or "
            "missed; non-zero only when the benchmark cannot run."
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
        help="default: a new SQLite file in a temporary directory. A PostgreSQL URL (e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres) names a server: the run "
        "creates a database of its own there and drops it at the end. A sqlite:///PATH URL "
        "must name a file that does not exist yet; it is left behind",
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
    for name in ("warmup", "cohorts", "per_cohort", "large_cohort", "quiz_pool", "pdf_seconds"):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must not be negative")
    if args.cohorts * args.per_cohort < 1:
        p.error("seed at least one learner in the ordinary cohorts")
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


def evaluate(endpoints: list[dict], workers: list[dict]) -> None:
    """Ratios to the /healthz measured with the same tool, and MET/MISSED, in place."""
    floors = {e["tool"]: e["rps"] for e in endpoints if e["name"] == "healthz"}
    for e in endpoints:
        floor = floors.get(e["tool"])
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


def _label(e: dict, main_tool: str) -> str:
    shown = e.get("shown_path") or e["path"]
    return shown if e["tool"] == main_tool else f"{shown} ({e['tool']})"


def table(results: dict) -> str:
    head = ("endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms", "x healthz", "target")
    rows = []
    main_tool = results["machine"]["tool"]
    for e in results["endpoints"]:
        if e["target_ratio"] is not None:
            target = f">= {e['target_ratio']:.2f}  {'MET' if e['met'] else 'MISSED'}"
        else:
            target = "(baseline)" if e["name"] == "healthz" else "(no target)"
        rows.append(
            (
                _label(e, main_tool),
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
    if results.get("pdf"):
        lines.append("")
        lines += pdf_table(results["pdf"])
    m, c, sd = results["machine"], results["config"], results["seed"]
    lines.append("")
    lines.append(
        f"{m['cpu_count']} CPUs, Python {m['python']}, {m['database']} {m['database_version']}, "
        f"tool {m['tool']}, {c['workers']} workers, {c['concurrency']} connections, "
        f"{c['duration']:g} s per endpoint after {c['warmup']:g} s warm-up, "
        f"argon2 {c['argon2']}; {sd['learners']} learners in {sd['cohorts']} cohorts of "
        f"{sd['per_cohort']}"
        + (f" and one of {sd['large_cohort_learners']}" if sd["large_cohort_learners"] else "")
        + f", {sd['coordinators']} coordinators, {sd['progress_rows']} progress rows, "
        f"{sd['quiz_attempts']} submitted quiz attempts, {sd['quiz_responses']} responses"
    )
    quiz = next((e for e in results["endpoints"] if e["name"] == QUIZ_LABEL), None)
    if quiz:
        pool = quiz["pool"]
        lines.append(
            f"quiz submission: {pool['pool_size']} open attempts made "
            f"({pool['already_read']} on modules already read, {pool['marked_read']} on modules "
            f"marked read for the run); {pool['sample']} in the check and "
            f"{pool['warmup_submitted']} in the warm-up, then {pool['sent']} sent and "
            f"{pool['db_graded']} graded per the database ({pool['db_passed']} passed); "
            + (
                f"pool exhausted after {quiz['seconds']:.1f} s"
                if pool["exhausted"]
                else f"{pool['offered'] - pool['sent']} left unsent"
            )
        )
    verify = next((e for e in results["endpoints"] if e["name"] == VERIFY_LABEL), None)
    certs = results.get("certificates")
    if certs:
        mix = ", ".join(f"{n} {status}" for status, n in certs["statuses"].items())
        lines.append(
            f"certificates: {certs['count']} seeded for the {certs['finished']} learners who "
            f"finished every module"
            + (f" and {certs['topped_up']} nearest to it" if certs["topped_up"] else "")
            + f" ({mix})"
            + (
                f"; {VERIFY_PATH} went round all {verify['codes']} codes in shuffled order"
                if verify
                else ""
            )
        )
    if verify:
        lines.append(
            f"{VERIFY_PATH}: the server ran with SMRESIDENCY_VERIFY_MAX_PER_MINUTE="
            f"{verify['verify_max_per_minute']} (default 30 per address per minute), so the "
            "page's own cost is measured, not its 429s; each check still counts a hit "
            f"({verify['rate_limit_hits_after']} verify rows in rate_limit_hit at the end)"
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
    if quiz and quiz["tool"] != m["tool"]:
        lines.append(
            f"note: quiz submission was measured with the {quiz['tool']} client (--quiz-tool); "
            f"its ratio is to /healthz measured with the {quiz['tool']} client too."
        )
    if "builtin" in {e["tool"] for e in results["endpoints"]}:
        lines.append(
            "note: the built-in client is Python and shares the CPUs with the server, so it "
            "caps /healthz first and the ratios read high; with wrk installed they are truer."
        )
    return "\n".join(lines)


def _grid(head: tuple, rows: list[tuple]) -> list[str]:
    """First column left, last column left, the rest right-aligned, as the tables above."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells) -> str:
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
        out.append(cells[-1].ljust(widths[-1]))
        return "  ".join(out).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:.1f} KB"


def pdf_table(pdf: dict) -> list[str]:
    """Certificate PDFs: one worker's rate in-process, and one fetched over HTTP."""
    head = ("certificate PDF", "PDFs", "PDFs/s", "p50 ms", "p99 ms", "size", "target")
    rows = []
    inproc = pdf.get("in_process")
    if inproc:
        rows.append(
            (
                f"certificate_pdf() in-process, a4/letter, {inproc['seconds']:.1f} s",
                str(inproc["count"]),
                _fmt(inproc["per_second"], ".1f"),
                _fmt(inproc["p50_ms"], ".2f"),
                _fmt(inproc["p99_ms"], ".2f"),
                f"{_kb(inproc['bytes']['a4'])} / {_kb(inproc['bytes']['letter'])}",
                "(no target)",
            )
        )
    http = pdf["http"]
    rows.append(
        (
            "GET /certificates/<id>.pdf as its owner",
            "1",
            "-",
            _fmt(http["ms"], ".2f"),
            "-",
            _kb(http["bytes"]),
            f"{http['status']} {http['content_type']}",
        )
    )
    lines = _grid(head, rows)
    if inproc:
        lines.append(
            f"one process, one thread, {inproc['certificates']} certificates in turn, A4 and "
            f"Letter alternating; first call {inproc['first_call_ms']:.0f} ms (not counted); "
            f"mean {inproc['mean_ms']:.2f} ms; other processes used "
            f"{_fmt(inproc['cpu_cores']['other'], '.2f')} CPUs meanwhile"
        )
    after = ", ".join(
        f"pid {w['pid']} {_fmt(w['peak_rss_mb'], '.1f')} MB" for w in pdf.get("workers_after", [])
    )
    lines.append(
        f"the HTTP PDF came in {http['ms']:.0f} ms (a worker's first may include importing "
        f"fpdf2); worker peak RSS after it: {after or '-'} (the rows above were read before it)"
    )
    return lines


def check_verify(srv: server.Server, args, certs: seed.Certificates) -> tuple[list[str], int]:
    """One code of each status shows that status with 200, an unknown code answers 404.

    Returns every seeded code's path in a shuffled order (statuses interleaved), and the
    size of a page.
    """
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    page_bytes = 0
    for status, codes in certs.codes.items():
        code = codes[0]
        answer, _, body = browser.request("GET", f"/verify/{code}")
        text = body.decode("utf-8", "replace")
        if answer != 200 or f"This certificate is {status}" not in text:
            raise RuntimeError(f"GET /verify/{code} ({status}) answered {answer}, not the page")
        page_bytes = max(page_bytes, len(body))
    unknown = "A" * 16 if all("A" * 16 not in c for c in certs.codes.values()) else "B" * 16
    answer, _, _ = browser.request("GET", f"/verify/{unknown}")
    if answer != 404:
        raise RuntimeError(f"GET /verify/{unknown} (no such code) answered {answer}, not 404")
    paths = [f"/verify/{code}" for codes in certs.codes.values() for code in codes]
    random.Random(args.seed).shuffle(paths)  # noqa: S311 - an order, not a secret
    return paths, page_bytes


def verify_hits(database: seed.Database) -> int | None:
    """Rows the verification page's rate limit has counted (bucket "verify")."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM rate_limit_hit WHERE bucket = 'verify'")
                ).scalar()
            )
    except Exception:
        return None
    finally:
        engine.dispose()


def sign_in(srv: server.Server, args, email: str, paths: list[str], page_bytes: dict) -> str:
    """Sign in through the form, check each page answers 200; returns the Cookie header."""
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    browser.sign_in(email, seed.PASSWORD)
    for path in paths:
        page_bytes[path] = browser.check(path)
    return browser.cookie_header


def check_dashboard(srv: server.Server, args, cookie: str, path: str, learners: int) -> None:
    """The dashboard lists every learner of the large cohort."""
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    browser.cookies = dict(part.split("=", 1) for part in cookie.split("; "))
    _, _, body = browser.request("GET", path)
    shown = body.decode("utf-8", "replace").count("Large Cohort Learner ")
    if shown < learners:
        raise RuntimeError(f"GET {path} shows {shown} of the cohort's {learners} learners")


def prepare_quiz(srv, args, database, argon2: dict, secret_key: str) -> tuple[list, dict]:
    """The pool of open attempts, a session cookie per learner, and one checked submission.

    Returns [(token, Submission), …] still open, and what was made.
    """
    mark = time.perf_counter()
    pool = seed.quiz_pool(database, argon2, cap=args.quiz_pool, rng_seed=args.seed)
    if len(pool.entries) < 2:
        raise RuntimeError("fewer than two open attempts could be made for quiz submission")
    # One real sign-in; every pool learner's cookie is minted from its session.
    template = load.Browser(srv.host, srv.port, timeout=args.timeout)
    template.sign_in(pool.entries[0].email, seed.PASSWORD)
    tokens = sorted({e.session_token for e in pool.entries})
    minted = load.mint_sessions(secret_key, template.cookies, tokens)
    subs = []
    for e in pool.entries:
        cookie, csrf = minted[e.session_token]
        body = urlencode([("csrf_token", csrf), *e.fields])
        subs.append((e.token, load.Submission(cookie, f"/quiz/{e.token}", body)))
    prepared = time.perf_counter() - mark

    # The check: a minted cookie opens its own attempt, the submission is graded and recorded,
    # and a repeat changes nothing (the redirect then sets the "submitted already" flash).
    token, sub = subs.pop(0)
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    browser.cookies = dict([sub.cookie.split("=", 1)])
    status, headers, _ = browser.request("GET", sub.path)
    if status != 200 or headers.get_all("Set-Cookie"):
        raise RuntimeError(f"GET {sub.path} with a minted session cookie answered {status}")
    form = parse_qsl(sub.body)
    outcomes = []
    for _ in range(2):
        status, headers, _ = browser.request("POST", sub.path, form)
        loc = headers.get("Location", "")
        outcomes.append(load.graded_redirect(status, loc, bool(headers.get_all("Set-Cookie"))))
        if outcomes == ["graded"]:
            recorded = seed.pool_outcome(database, argon2, [token])
            if recorded["submitted"] != 1 or recorded["responses"] < 1:
                raise RuntimeError(f"POST {sub.path} answered {status} but nothing was recorded")
    if outcomes != ["graded", "repeated"]:
        raise RuntimeError(f"quiz submission check: expected graded then repeated, got {outcomes}")
    made = {
        "pool_size": len(pool.entries),
        "eligible_pairs": pool.eligible,
        "already_read": pool.already_read,
        "marked_read": pool.marked_read,
        "skipped_attempts_used_up": pool.skipped_exhausted,
        "skipped_cooldown": pool.skipped_cooldown,
        "expected_to_pass": sum(e.expect_pass for e in pool.entries),
        "learners": len(tokens),
        "sample": 1,
        "seconds_to_prepare": round(prepared, 2),
    }
    return subs, made


def measure_quiz(srv, args, tool: str, wrk, subs: list, workdir: Path, database, argon2) -> dict:
    """Warm up, then measure quiz submission; each request submits a different open attempt.

    What was submitted is read back from the database after each run, not assumed.
    """

    def once(batch: list, seconds: float, name: str) -> load.LoadResult:
        if tool == "wrk":
            path = workdir / f"quiz-pool-{name}.tsv"
            load.write_pool(path, [s for _, s in batch])
            return load.run_wrk_pool(
                wrk,
                srv.base + "/",
                path,
                len(batch),
                concurrency=args.concurrency,
                threads=args.wrk_threads,
                duration=seconds,
                timeout=args.timeout,
            )
        return load.run_builtin_pool(
            srv.host,
            srv.port,
            [s for _, s in batch],
            concurrency=args.concurrency,
            duration=seconds,
            timeout=args.timeout,
        )

    def submitted(batch: list) -> dict:
        server.drain(srv, args.timeout * 3)  # submissions the client stopped waiting for
        return seed.pool_outcome(database, argon2, [t for t, _ in batch])

    warmed = 0
    if args.warmup > 0:  # on at most a quarter of the pool, whatever the warm-up time
        once(subs[: max(1, len(subs) // 4)], args.warmup, "warmup")
        done = set(submitted(subs)["submitted_tokens"])
        warmed = len(done)
        subs = [(t, s) for t, s in subs if t not in done]
    if not subs:
        raise RuntimeError("the warm-up used up the quiz pool; raise --quiz-pool")
    meter = cpu.Meter(lambda: [srv.proc.pid, *srv.worker_pids()])
    meter.start()
    result = once(subs, args.duration, "measured").as_dict()
    result["cpu_cores"] = meter.stop()
    recorded = submitted(subs)
    result["pool"].update(
        {
            "warmup_submitted": warmed,
            "db_graded": recorded["submitted"],
            "db_passed": recorded["passed"],
            "db_responses": recorded["responses"],
        }
    )
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
                f"  signed in the large cohort's coordinator; {board[0]} answers 200 and lists "
                f"all {args.large_cohort} learners"
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
