"""wrk: runs it with plain headers or one of the Lua scripts, and reads its report."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from load import USER_AGENT, LoadResult, Submission


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version(binary: str) -> str | None:
    try:
        out = subprocess.run(  # noqa: S603 - fixed argument list
            [binary, "--version"], capture_output=True, text=True, timeout=5, check=False
        )
    except OSError:
        return None
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0] if text else None


def run_wrk(
    binary: str,
    url: str,
    cookie: str | None,
    *,
    concurrency: int,
    threads: int,
    duration: float,
    timeout: float,
    script: Path | None = None,
    script_args: tuple[str, ...] = (),
    label: str | None = None,
) -> LoadResult:
    """wrk --latency with plain -H headers; parses rps, 50% and 99% latency.

    No Lua unless `script` is given (then `script_args` follow `--` and `label` names the
    result instead of the URL's path).
    """
    seconds = max(1, round(duration))
    threads = max(1, min(threads, concurrency))
    cmd = [
        binary,
        "--latency",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--timeout",
        f"{max(1, round(timeout))}s",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(  # noqa: S603 - fixed argument list
        cmd, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()}")
    return parse_wrk(out.stdout, label or urlsplit(url).path)


SUBMIT_SCRIPT = Path(__file__).resolve().parent / "submit.lua"
VERIFY_SCRIPT = Path(__file__).resolve().parent / "verify.lua"


def write_pool(path: Path, submissions: list[Submission]) -> None:
    """The pool file submit.lua reads: Cookie, path and body, tab-separated, one a line."""
    with path.open("w") as out:
        for sub in submissions:
            out.write(f"{sub.cookie}\t{sub.path}\t{sub.body}\n")


def run_wrk_pool(
    binary: str,
    base_url: str,
    pool_file: Path,
    offered: int,
    *,
    concurrency: int,
    threads: int,
    duration: float,
    timeout: float,
) -> LoadResult:
    """wrk with submit.lua: each request submits the next open attempt of the pool file.

    wrk divides by the whole -d duration even when the pool runs out first, so requests/sec
    comes from the script's own per-thread counts and clocks (first submission sent to last
    answer); the latency percentiles are wrk's, over the submissions only.
    """
    seconds = max(1, round(duration))
    threads = max(1, min(threads, concurrency))
    cmd = [
        binary,
        "--latency",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--timeout",
        f"{max(1, round(timeout))}s",
        "-s",
        str(SUBMIT_SCRIPT),
        base_url,
        "--",
        str(pool_file),
        str(threads),
    ]
    out = subprocess.run(  # noqa: S603 - fixed argument list
        cmd, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()}")
    return parse_wrk_pool(out.stdout, offered)


def parse_wrk_pool(text: str, offered: int) -> LoadResult:
    """wrk's report plus submit.lua's per-thread lines."""
    base = parse_wrk(text, "/quiz/<token>")
    rows = re.findall(
        r"^bench-thread (\d+) sent (\d+) answered (\d+) graded (\d+) repeated (\d+) "
        r"other (\d+) first ([\d.]+) last ([\d.]+)$",
        text,
        re.MULTILINE,
    )
    if not rows:
        raise RuntimeError(f"submit.lua printed no per-thread figures:\n{text}")
    sent, answered, graded, repeated, other = (sum(int(r[i]) for r in rows) for i in range(1, 6))
    firsts = [float(r[6]) for r in rows if float(r[6]) > 0]
    lasts = [float(r[7]) for r in rows if float(r[7]) > 0]
    elapsed = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    lat = re.search(r"^bench-latency p50 ([\d.]+) p99 ([\d.]+)$", text, re.MULTILINE)
    kinds = {k: v for k, v in base.error_kinds.items() if k.startswith("socket")}
    if repeated:
        kinds["302 repeated (already submitted)"] = repeated
    if other:
        kinds["not a redirect to the result"] = other
    return LoadResult(
        path=base.path,
        tool="wrk",
        requests=answered + sum(v for k, v in kinds.items() if k.startswith("socket")),
        errors=sum(kinds.values()),
        seconds=round(elapsed, 3),
        rps=round(answered / elapsed, 1) if elapsed > 0 else 0.0,
        p50_ms=round(float(lat.group(1)) / 1000, 2) if lat else base.p50_ms,
        p99_ms=round(float(lat.group(2)) / 1000, 2) if lat else base.p99_ms,
        error_kinds=kinds,
        raw=text,
        pool={
            "offered": offered,
            "sent": sent,
            "answered": answered,
            "graded": graded,
            "repeated": repeated,
            "other": other,
            "exhausted": sent >= offered - 1,  # thread 0's checked line is never sent
            "wrk_requests_per_sec": base.rps,
        },
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value.strip())
    if not match:
        raise ValueError(f"unrecognised wrk duration {value!r}")
    return round(float(match.group(1)) * _UNITS[match.group(2)], 2)


def parse_wrk(text: str, path: str) -> LoadResult:
    """Read wrk's --latency report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", text)
    p50 = re.search(r"^\s*50(?:\.000)?%\s+(\S+)", text, re.MULTILINE)
    p99 = re.search(r"^\s*99(?:\.000)?%\s+(\S+)", text, re.MULTILINE)
    if not (rps and total):
        raise RuntimeError(f"could not parse wrk output:\n{text}")
    kinds: dict[str, int] = {}
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        for name, value in zip(("connect", "read", "write", "timeout"), sock.groups(), strict=True):
            if int(value):
                kinds[f"socket {name}"] = int(value)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        kinds["non-2xx/3xx"] = int(non2xx.group(1))
    return LoadResult(
        path=path,
        tool="wrk",
        requests=int(total.group(1)),
        errors=sum(kinds.values()),
        seconds=round(_ms(total.group(2) + total.group(3)) / 1000, 3),
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)) if p50 else None,
        p99_ms=_ms(p99.group(1)) if p99 else None,
        error_kinds=kinds,
        raw=text,
    )
