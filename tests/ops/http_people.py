"""Plain-HTTP people and gunicorn hosts for the two-host test: cookies, CSRF tokens, forms."""

import http.client
import re
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Form(HTMLParser):
    """Every named input, textarea and selected option of a page, last value wins."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "radio"):
            self.fields[name] = a.get("value") or ""
        elif tag == "input" and name and "checked" in a:
            self.fields[name] = a.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea, self.fields[name] = name, ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


class _Choices(HTMLParser):
    """The value of each choice input by the text of its label."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self._for: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") in ("radio", "checkbox") and a.get("id"):
            self.values[a["id"]] = a.get("value") or ""
        elif tag == "label" and a.get("for"):
            self._for = a["for"]
            self.labels[self._for] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._for = None

    def handle_data(self, data):
        if self._for:
            self.labels[self._for] += data


def choice_value(html: str, label: str) -> str:
    """What the browser would send for the choice labelled `label` (a per-attempt value)."""
    parser = _Choices()
    parser.feed(html)
    ids = [i for i, text in parser.labels.items() if text.strip() == label and i in parser.values]
    main = html.split("<main", 1)[-1][:1500]
    assert len(ids) == 1, f"no single choice labelled {label!r} in the page: {main}"
    return parser.values[ids[0]]


class Browser:
    """One person's cookie jar, used against either host (the session cookie is shared).

    Requests carry X-Forwarded-For as a load balancer in front of both hosts would add it:
    the hosts trust one proxy hop, so both see the same client address.
    """

    def __init__(self, hosts: list[str], address: str = "198.51.100.7"):
        self.hosts = hosts
        self.address = address
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, host: int, method: str, path: str, data: dict | None = None):
        """Send one request to hosts[host]; return (status, headers, body text)."""
        netloc = urlsplit(self.hosts[host]).netloc
        conn = http.client.HTTPConnection(netloc, timeout=30)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-Forwarded-For": self.address,
        }
        body = None
        if data is not None:
            body = urlencode({"csrf_token": self.csrf, **data}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.hosts[host] + path
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        if token:
            self.csrf = token.group(1)
        return response.status, response.headers, text

    def get(self, host: int, path: str):
        return self.request(host, "GET", path)

    def post(self, host: int, path: str, data: dict | None = None):
        return self.request(host, "POST", path, data or {})

    def sign_in(self, host: int, email: str, password: str = PASSWORD) -> int:
        self.get(host, "/login")
        status = self.post(host, "/login", {"email": email, "password": password})[0]
        if status == 302:
            self.get(host, "/")  # a fresh session comes with a fresh CSRF token
        return status


class Host:
    """One gunicorn master with two workers; its log is kept for the failure message.

    With a namespace it runs inside it, listening on the namespace's own address."""

    def __init__(self, env: dict[str, str], log: Path, namespace=None):
        self.port = _free_port()
        address = namespace.inside if namespace else "127.0.0.1"
        self.base = f"http://{address}:{self.port}"
        self.log = log
        self._out = open(log, "w")  # noqa: SIM115 - closed in stop()
        argv = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", self.base[7:], "wsgi:app"]
        self.proc = subprocess.Popen(
            namespace.command(argv) if namespace else argv,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(urlsplit(self.base).netloc, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn on {self.base} did not start:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def errors(self) -> str:
        """The app's frames and the exception lines of every traceback in the log."""
        wanted = re.compile(
            r'File ".*/smresidency/|^\w[\w.]*(Error|Exception|Detected)\b|^DETAIL|^CONTEXT'
        )
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(line for line in lines if wanted.search(line))[-6000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._out.close()
