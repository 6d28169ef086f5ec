"""One endpoint's measurement: a warm-up thrown away, then the measured run with its CPU."""

from __future__ import annotations

import random
from pathlib import Path

import builtin
import cpu
import load
import server
import wrk as wrk_tool


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
    wrk_binary: str | None,
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
            return wrk_tool.run_wrk(
                wrk_binary,
                srv.base + ("/" if paths else path),
                cookies[0] if cookies else None,
                concurrency=args.concurrency,
                threads=args.wrk_threads,
                duration=seconds,
                timeout=args.timeout,
                script=wrk_tool.VERIFY_SCRIPT if paths else None,
                script_args=script_args,
                label=path,
            )
        return builtin.run_builtin(
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
