"""Quiz submission: the pool of open attempts and its measurement."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import cpu
import load
import seed
import server


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


BURST = 2000  # submissions in the burst (issue 17: all graded in under 10 s on SQLite)
BURST_TARGET_S = 10.0
BURST_REPLAYS = 100  # burst submissions sent again: a repeat must change nothing


def burst_quiz(srv, args, subs: list, database, argon2) -> dict:
    """Send BURST open attempts as fast as `--concurrency` connections can, until each is
    answered; then read the database: every one graded once (none lost), and a replay of
    some of them changes nothing (none graded twice)."""
    done = set(seed.pool_outcome(database, argon2, [t for t, _ in subs])["submitted_tokens"])
    batch = [(t, s) for t, s in subs if t not in done][:BURST]
    if not batch:
        return {"sent": 0, "note": "no open attempts left; raise --quiz-pool"}
    meter = cpu.Meter(lambda: [srv.proc.pid, *srv.worker_pids()])
    meter.start()
    began = time.perf_counter()
    result = load.run_builtin_pool(
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
    first = seed.pool_outcome(database, argon2, tokens)
    replay = load.run_builtin_pool(
        srv.host,
        srv.port,
        [s for _, s in batch[:BURST_REPLAYS]],
        concurrency=args.concurrency,
        duration=60.0,
        timeout=args.timeout,
    )
    server.drain(srv, args.timeout * 3)
    after = seed.pool_outcome(database, argon2, tokens)
    return {
        "sent": len(batch),
        "seconds": round(wall, 2),
        "errors": result.errors,
        "error_kinds": result.error_kinds,
        "graded": first["submitted"],
        "lost": len(batch) - first["submitted"],
        "responses": first["responses"],
        "replayed": replay.pool["sent"] if replay.pool else 0,
        "replay_graded_again": replay.pool["graded"] if replay.pool else None,
        "changed_by_replay": (after["submitted"], after["responses"])
        != (first["submitted"], first["responses"]),
        "target_seconds": BURST_TARGET_S,
        "cpu_cores": cores,
        "met": len(batch) == BURST
        and first["submitted"] == len(batch)
        and wall < BURST_TARGET_S
        and (after["submitted"], after["responses"]) == (first["submitted"], first["responses"]),
    }
