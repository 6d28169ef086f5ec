"""Quiz submission: the pool of open attempts and its measurement."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import builtin
import cpu
import load
import pool
import seed
import server
import wrk
from settings import BURST_REPLAYS, BURST_TARGET, BURST_TARGET_S


def prepare_quiz(srv, args, database, argon2: dict, secret_key: str) -> tuple[list, dict, list]:
    """The pools of open attempts, a session cookie per learner, and one checked submission.

    Returns [(token, Submission), …] still open for the measurement, what was made, and the
    burst's own pool (`--burst` attempts of learners nobody else submits for).
    """
    mark = time.perf_counter()
    made_pool = pool.quiz_pool(database, argon2, cap=args.quiz_pool, rng_seed=args.seed)
    if len(made_pool.entries) < 2:
        raise RuntimeError("fewer than two open attempts could be made for quiz submission")
    burst_pool = pool.quiz_pool(database, argon2, cap=args.burst, rng_seed=args.seed, burst=True)
    # One real sign-in; every pool learner's cookie is minted from its session.
    template = load.Browser(srv.host, srv.port, timeout=args.timeout)
    template.sign_in(made_pool.entries[0].email, seed.PASSWORD)
    entries = made_pool.entries + burst_pool.entries
    tokens = sorted({e.session_token for e in entries})
    minted = load.mint_sessions(secret_key, template.cookies, tokens)
    subs = []
    for e in entries:
        cookie, csrf = minted[e.session_token]
        body = urlencode([("csrf_token", csrf), *e.fields])
        subs.append((e.token, load.Submission(cookie, f"/quiz/{e.token}", body)))
    subs, burst_subs = subs[: len(made_pool.entries)], subs[len(made_pool.entries) :]
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
            recorded = pool.pool_outcome(database, argon2, [token])
            if recorded["submitted"] != 1 or recorded["responses"] < 1:
                raise RuntimeError(f"POST {sub.path} answered {status} but nothing was recorded")
    if outcomes != ["graded", "repeated"]:
        raise RuntimeError(f"quiz submission check: expected graded then repeated, got {outcomes}")
    made = {
        "pool_size": len(made_pool.entries),
        "eligible_pairs": made_pool.eligible,
        "already_read": made_pool.already_read,
        "marked_read": made_pool.marked_read,
        "skipped_attempts_used_up": made_pool.skipped_exhausted,
        "skipped_cooldown": made_pool.skipped_cooldown,
        "expected_to_pass": sum(e.expect_pass for e in made_pool.entries),
        "learners": len({e.session_token for e in made_pool.entries}),
        "sample": 1,
        "seconds_to_prepare": round(prepared, 2),
        "burst_pool_size": len(burst_pool.entries),
    }
    return subs, made, burst_subs


def measure_quiz(
    srv, args, tool: str, wrk_binary, subs: list, workdir: Path, database, argon2
) -> dict:
    """Warm up, then measure quiz submission; each request submits a different open attempt.

    What was submitted is read back from the database after each run, not assumed.
    """

    def once(batch: list, seconds: float, name: str) -> load.LoadResult:
        if tool == "wrk":
            path = workdir / f"quiz-pool-{name}.tsv"
            wrk.write_pool(path, [s for _, s in batch])
            return wrk.run_wrk_pool(
                wrk_binary,
                srv.base + "/",
                path,
                len(batch),
                concurrency=args.concurrency,
                threads=args.wrk_threads,
                duration=seconds,
                timeout=args.timeout,
            )
        return builtin.run_builtin_pool(
            srv.host,
            srv.port,
            [s for _, s in batch],
            concurrency=args.concurrency,
            duration=seconds,
            timeout=args.timeout,
        )

    def submitted(batch: list) -> dict:
        server.drain(srv, args.timeout * 3)  # submissions the client stopped waiting for
        return pool.pool_outcome(database, argon2, [t for t, _ in batch])

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


def burst_quiz(srv, args, batch: list, database, argon2) -> dict:
    """Send the burst's own pool as fast as `--concurrency` connections can, until each is
    answered; then read the database: every one graded once (none lost), and a replay of
    some of them changes nothing (none graded twice).

    MET/MISSED is judged on the CPU-normalised time: the wall time scaled by the share of the
    machine's CPUs that other processes left (so a disturbed machine does not make it miss),
    and only for the target's 2,000 submissions.
    """
    if not batch:
        return {"sent": 0, "note": "no burst (--burst 0)", "met": None}
    meter = cpu.Meter(lambda: [srv.proc.pid, *srv.worker_pids()])
    meter.start()
    began = time.perf_counter()
    result = builtin.run_builtin_pool(
        srv.host,
        srv.port,
        [s for _, s in batch],
        concurrency=args.concurrency,
        duration=600.0,
        timeout=max(args.timeout, 30.0),
    )
    wall = time.perf_counter() - began
    cores = meter.stop()
    server.drain(srv, args.timeout * 3)
    tokens = [t for t, _ in batch]
    first = pool.pool_outcome(database, argon2, tokens)
    replay = builtin.run_builtin_pool(
        srv.host,
        srv.port,
        [s for _, s in batch[:BURST_REPLAYS]],
        concurrency=args.concurrency,
        duration=60.0,
        timeout=args.timeout,
    )
    server.drain(srv, args.timeout * 3)
    after = pool.pool_outcome(database, argon2, tokens)
    cpus = os.cpu_count() or 1
    other = cores.get("other")
    normalised = wall * max(cpus - other, 0.0) / cpus if other is not None else None
    judged = normalised if normalised is not None else wall
    sent = result.pool["sent"] if result.pool else 0
    unchanged = (after["submitted"], after["responses"]) == (first["submitted"], first["responses"])
    return {
        "offered": len(batch),
        "sent": sent,
        "seconds": round(wall, 2),
        "cpu_normalised_seconds": round(normalised, 2) if normalised is not None else None,
        "errors": result.errors,
        "error_kinds": result.error_kinds,
        "graded": first["submitted"],
        "lost": len(batch) - first["submitted"],
        "responses": first["responses"],
        "replayed": replay.pool["sent"] if replay.pool else 0,
        "replay_graded_again": replay.pool["graded"] if replay.pool else None,
        "changed_by_replay": not unchanged,
        "target_submissions": BURST_TARGET,
        "target_seconds": BURST_TARGET_S,
        "cpu_cores": cores,
        "met": None
        if len(batch) != BURST_TARGET
        else sent == len(batch)
        and first["submitted"] == len(batch)
        and judged < BURST_TARGET_S
        and unchanged,
    }
