"""`make bench`: seed a realistic database, serve it with gunicorn, measure six endpoints,
the 2,000-submission burst and certificate PDFs; on SQLite, then on PostgreSQL when a server
answers, in one invocation.

A benchmark, not a test: it reports each figure against its target (MET/MISSED) and exits 0
whatever the figures are; it exits non-zero only when the benchmark itself cannot run.
See bench/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime

import database as databases
import wrk as wrk_tool
from options import parse_args
from report import table
from runone import run_one
from targets import disturbances, summary_table

TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def say(message: str) -> None:
    print(message, flush=True)


def plan(args: argparse.Namespace) -> tuple[list[tuple[str, str | None]], dict[str, str]]:
    """Which databases to measure, in order, as (name, URL or None for a new SQLite file),
    and the ones skipped with the reason.

    `--database-url` (repeatable) names them all. Otherwise SQLite, then the `--postgres`
    server: `auto` (the default) is the local one when something answers on its port.
    """
    if args.database_url:
        chosen, seen = [], {}
        for url in args.database_url:
            kind = "sqlite" if url == "sqlite" else url.split(":", 1)[0].split("+", 1)[0]
            seen[kind] = seen.get(kind, 0) + 1
            name = kind if seen[kind] == 1 else f"{kind}_{seen[kind]}"
            chosen.append((name, None if url == "sqlite" else url))
        return chosen, {}
    chosen: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres == "off":
        return chosen, {"postgresql": "--postgres off"}
    url = databases.DEFAULT_POSTGRES if args.postgres == "auto" else args.postgres
    why = databases.answers(url)
    if why is None:
        chosen.append(("postgresql", url))
        return chosen, {}
    if args.postgres != "auto":
        raise SystemExit(f"bench: --postgres {databases.redacted(url)}: {why}")
    return chosen, {"postgresql": f"{why} ({databases.redacted(url)})"}


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    wrk = wrk_tool.wrk_path()
    if args.tool == "wrk" and not wrk:
        say("bench: --tool wrk, but wrk is not on PATH (apt-get install wrk)")
        return 2
    tool = "wrk" if (args.tool == "wrk" or (args.tool == "auto" and wrk)) else "builtin"
    quiz_tool = tool if args.quiz_tool == "same" else "builtin"
    try:
        todo, skipped = plan(args)
    except SystemExit as err:
        say(str(err.code))
        return 1
    for name, why in skipped.items():
        say(f"bench: {TITLES.get(name, name)} SKIPPED: {why}")
    say("bench: measuring " + ", then ".join(TITLES.get(n, n) for n, _ in todo))

    runs: dict[str, dict] = {}
    failed: dict[str, str] = {}
    for name, url in todo:
        say(f"\n=== {TITLES.get(name, name)} ===")
        try:
            runs[name] = run_one(args, url, tool, quiz_tool, wrk, say)
        except (Exception, SystemExit) as err:
            message = err.code if isinstance(err, SystemExit) else err
            say(f"bench: could not run on {TITLES.get(name, name)}: {message}")
            failed[name] = str(message)

    for name, result in runs.items():
        say(f"\n=== {TITLES.get(name, name)}: {result['machine']['database_version']} ===")
        say(table(result))
    if runs:
        say("\n=== issue 17's targets, judged on the CPU-normalised figures ===")
        for line in summary_table(runs, {**skipped, **failed}):
            say(line)
        for name, why in skipped.items():
            say(f"{TITLES.get(name, name)} was SKIPPED: {why}.")
        for name, why in failed.items():
            say(f"{TITLES.get(name, name)} FAILED: {why}")
        troubled = [n for n, r in runs.items() if disturbances(r)]
        if troubled:
            say(
                "WARNING: other processes disturbed the run on "
                + " and ".join(TITLES.get(n, n) for n in troubled)
                + " (see the warnings above); the CPU-normalised figures allow for it."
            )
        results = {
            "schema": 4,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds_total": round(time.perf_counter() - started, 1),
            "databases": list(runs),
            "skipped": skipped,
            "failed": failed,
            "runs": runs,
            "disturbed": {n: [list(d) for d in disturbances(r)] for n, r in runs.items()},
            "all_met": {n: r["targets"]["all_met"] for n, r in runs.items()},
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
        say(f"\nwrote {args.output}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
