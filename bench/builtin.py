"""The built-in load generator: one thread per connection, each with its own keep-alive
HTTPConnection; used when wrk is not installed, and always for the burst."""

from __future__ import annotations

import http.client
import itertools
import threading
import time

from load import USER_AGENT, LoadResult, Submission, graded_redirect, percentile


def run_builtin(
    host: str,
    port: int,
    path: str,
    cookies: list[str | None],
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    timeout: float,
    paths: list[str] | None = None,
) -> LoadResult:
    """`concurrency` threads, each with its own keep-alive HTTPConnection, for `duration` s.

    Thread i sends cookies[i % len(cookies)]. gunicorn's sync workers close the connection
    after each response; HTTPConnection then reconnects on the next request by itself.
    Every non-2xx answer and every exception counts as an error. With `paths`, request n
    (counted over all threads) goes to paths[n % len(paths)] instead of `path`, which then
    only labels the result.
    """
    counter = itertools.count()
    start_gate = threading.Barrier(concurrency + 1)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[dict[str, int]] = [{} for _ in range(concurrency)]
    deadline = [0.0]
    capped = threading.Event()

    def worker(i: int) -> None:
        headers = {"User-Agent": USER_AGENT}
        cookie = cookies[i % len(cookies)] if cookies else None
        if cookie:
            headers["Cookie"] = cookie
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine, bad = latencies[i], errors[i]
        start_gate.wait()
        end = deadline[0]
        clock = time.perf_counter
        while clock() < end:
            n = next(counter)
            if n >= max_requests:
                capped.set()
                break
            target = paths[n % len(paths)] if paths else path
            t0 = clock()
            try:
                conn.request("GET", target, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as err:
                kind = type(err).__name__
                bad[kind] = bad.get(kind, 0) + 1
                conn.close()
                continue
            mine.append(clock() - t0)
            if not 200 <= status < 300:
                kind = f"HTTP {status}"
                bad[kind] = bad.get(kind, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start_gate.wait()
    for t in threads:
        t.join(duration + timeout + 5)
    elapsed = time.perf_counter() - began

    all_latencies = sorted(itertools.chain.from_iterable(latencies))
    kinds: dict[str, int] = {}
    for bad in errors:
        for k, v in bad.items():
            kinds[k] = kinds.get(k, 0) + v
    n_errors = sum(kinds.values())
    completed = len(all_latencies)  # answered requests, 2xx or not
    failed = sum(v for k, v in kinds.items() if not k.startswith("HTTP "))  # no answer
    p50, p99 = percentile(all_latencies, 50), percentile(all_latencies, 99)
    return LoadResult(
        path=path,
        tool="builtin",
        requests=completed + failed,
        errors=n_errors,
        seconds=round(elapsed, 3),
        rps=round(completed / elapsed, 1) if elapsed else 0.0,
        p50_ms=None if p50 is None else round(p50 * 1000, 2),
        p99_ms=None if p99 is None else round(p99 * 1000, 2),
        capped=capped.is_set(),
        error_kinds=kinds,
    )


def run_builtin_pool(
    host: str,
    port: int,
    submissions: list[Submission],
    *,
    concurrency: int,
    duration: float,
    timeout: float,
) -> LoadResult:
    """Like run_builtin, but each request is the next submission of the pool, sent once.

    Stops at `duration` or when the pool is spent; req/s is over the time until the last
    answer. Anything but a graded redirect counts as an error.
    """
    counter = itertools.count()
    start_gate = threading.Barrier(concurrency + 1)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[dict[str, int]] = [{} for _ in range(concurrency)]
    finished = [0.0] * concurrency
    outcomes = [{"graded": 0, "repeated": 0, "other": 0} for _ in range(concurrency)]
    deadline = [0.0]
    exhausted = threading.Event()

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine, bad, seen = latencies[i], errors[i], outcomes[i]
        start_gate.wait()
        end = deadline[0]
        clock = time.perf_counter
        while clock() < end:
            n = next(counter)
            if n >= len(submissions):
                exhausted.set()
                break
            sub = submissions[n]
            headers = {
                "User-Agent": USER_AGENT,
                "Cookie": sub.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            t0 = clock()
            try:
                conn.request("POST", sub.path, body=sub.body, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as err:
                kind = type(err).__name__
                bad[kind] = bad.get(kind, 0) + 1
                conn.close()
                continue
            finished[i] = clock()
            mine.append(finished[i] - t0)
            outcome = graded_redirect(
                resp.status,
                resp.headers.get("Location", ""),
                bool(resp.headers.get_all("Set-Cookie")),
            )
            seen[outcome] += 1
            if outcome != "graded":
                kind = f"HTTP {resp.status} {outcome}"
                bad[kind] = bad.get(kind, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start_gate.wait()
    for t in threads:
        t.join(duration + timeout + 5)
    elapsed = max([f for f in finished if f], default=time.perf_counter()) - began

    all_latencies = sorted(itertools.chain.from_iterable(latencies))
    kinds: dict[str, int] = {}
    for bad in errors:
        for k, v in bad.items():
            kinds[k] = kinds.get(k, 0) + v
    totals = {k: sum(o[k] for o in outcomes) for k in ("graded", "repeated", "other")}
    failed = sum(v for k, v in kinds.items() if not k.startswith("HTTP "))
    completed = len(all_latencies)
    p50, p99 = percentile(all_latencies, 50), percentile(all_latencies, 99)
    return LoadResult(
        path=submissions[0].path if submissions else "",
        tool="builtin",
        requests=completed + failed,
        errors=sum(kinds.values()),
        seconds=round(elapsed, 3),
        rps=round(completed / elapsed, 1) if elapsed > 0 else 0.0,
        p50_ms=None if p50 is None else round(p50 * 1000, 2),
        p99_ms=None if p99 is None else round(p99 * 1000, 2),
        error_kinds=kinds,
        pool={
            "offered": len(submissions),
            "sent": min(len(submissions), completed + failed),
            **totals,
            "exhausted": exhausted.is_set(),
        },
    )
