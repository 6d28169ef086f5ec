"""Sign in over HTTP, minted session cookies, and what a measurement returns.

The load generators are in builtin (a small threaded client) and wrk (wrk and its scripts).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
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
