"""Sign in over HTTP and drive load: wrk when it is installed, else a small threaded client."""

from __future__ import annotations

import http.client
import itertools
import re
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

USER_AGENT = "smresidency-bench"


# --------------------------------------------------------------------------- signing in


class _CsrfField(HTMLParser):
    """Finds <input name="csrf_token" value="…">."""

    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token" and self.token is None:
            self.token = a.get("value")


class Browser:
    """The least a sign-in needs: one host, a cookie jar, no redirects followed."""

    def __init__(self, host: str, port: int, timeout: float = 10):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | list[tuple] | None = None):
        """(status, headers, body); Set-Cookie updates the jar. A form may repeat a field."""
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            for raw in resp.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or (
                        morsel["expires"] and "1970" in morsel["expires"]
                    ):
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return resp.status, resp.headers, data
        finally:
            conn.close()

    def sign_in(self, email: str, password: str) -> None:
        """GET /login for its CSRF token, POST the form, then settle the session cookie.

        Pages that render the sign-out form put a CSRF token into the session, and the
        first page after sign-in pops the welcome flash: both rewrite the cookie. The jar
        is settled when a GET of the home page no longer sets one.
        """
        status, _, body = self.request("GET", "/login")
        if status != 200:
            raise RuntimeError(f"GET /login answered {status}")
        parser = _CsrfField()
        parser.feed(body.decode("utf-8", "replace"))
        if not parser.token:
            raise RuntimeError("GET /login: no csrf_token field in the form")
        status, headers, _ = self.request(
            "POST", "/login", {"csrf_token": parser.token, "email": email, "password": password}
        )
        location = headers.get("Location", "")
        if status != 302 or urlsplit(location).path.startswith("/login"):
            raise RuntimeError(f"sign-in as {email} failed: {status} {location}")
        for _ in range(3):
            status, headers, _ = self.request("GET", "/")
            if status != 200:
                raise RuntimeError(f"GET / after sign-in answered {status}")
            if not headers.get_all("Set-Cookie"):
                return
        raise RuntimeError("the session cookie keeps changing on every request")

    def check(self, path: str) -> int:
        """GET path: it must answer 200 without rewriting the cookie; returns the body size."""
        status, headers, body = self.request("GET", path)
        if status != 200:
            where = headers.get("Location", "")
            raise RuntimeError(f"GET {path} answered {status} {where}".strip())
        if headers.get_all("Set-Cookie"):
            # Settle once more (e.g. a flash was waiting), then it must be stable.
            status, headers, body = self.request("GET", path)
            if status != 200 or headers.get_all("Set-Cookie"):
                raise RuntimeError(f"GET {path} rewrites the session cookie on every request")
        return len(body)


def mint_sessions(
    secret_key: str, template: dict[str, str], session_tokens: list[str]
) -> dict[str, tuple[str, str]]:
    """Session cookies for many learners without signing each in: session token -> (Cookie
    header, CSRF form token).

    Signing a thousand learners in through /login would cost a thousand password checks on
    the server. Instead the session of one real sign-in (`template`, a cookie jar) is decoded
    with the server's secret key and re-signed for each learner with that learner's session
    token (what Flask-Login keeps as `_user_id`) and a CSRF token of its own, made by
    Flask-WTF's generate_csrf as the app would. Flask's own session serializer signs it, so
    the server reads it exactly like a cookie it set itself.
    """
    from flask import Flask, session
    from flask.sessions import SecureCookieSessionInterface
    from flask_wtf.csrf import generate_csrf

    app = Flask("bench-sessions")
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    name, base = None, None
    for cookie_name, value in template.items():
        try:
            base = serializer.loads(value)
            name = cookie_name
            break
        except Exception:  # noqa: S112 - not the session cookie
            continue
    if base is None or "_user_id" not in base:
        raise RuntimeError("the signed-in session cookie could not be read with the secret key")
    out = {}
    for token in session_tokens:
        with app.test_request_context():
            session.update({k: v for k, v in base.items() if k != "csrf_token"})
            session["_user_id"] = token
            form_token = generate_csrf()
            out[token] = (f"{name}={serializer.dumps(dict(session))}", form_token)
    return out


# --------------------------------------------------------------------------- results


@dataclass
class LoadResult:
    """One endpoint's measurement."""

    path: str
    tool: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    capped: bool = False
    error_kinds: dict[str, int] = field(default_factory=dict)
    raw: str | None = None
    pool: dict | None = None  # submissions from a pool: sent, graded, exhausted, …

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("raw", "pool"):
            if data[key] is None:
                data.pop(key)
        return data


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# --------------------------------------------------------------------------- built-in client


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


@dataclass
class Submission:
    """One POST of a pool: whose cookie, where, and the urlencoded form."""

    cookie: str
    path: str
    body: str


def graded_redirect(status: int, location: str, sets_cookie: bool) -> str:
    """How a quiz submission was answered: graded, repeated (already submitted) or other.

    A graded submission redirects to /quiz/<token>/result and leaves the session alone; a
    repeated one redirects there too but flashes "submitted already", so it sets a cookie.
    """
    if status == 302 and re.search(r"/quiz/[^/]+/result$", urlsplit(location).path):
        return "repeated" if sets_cookie else "graded"
    return "other"


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


# --------------------------------------------------------------------------- wrk


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
