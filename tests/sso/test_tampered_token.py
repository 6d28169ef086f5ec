"""An ID token altered on its way from the provider (a claim changed, the signature kept) is
refused: the real provider sits behind a small relay that rewrites its token answers."""

import base64
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.extensions import db
from tests.oidc import harness
from tests.sso.conftest import APP_BASE, CALLBACK


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tamper(id_token: str) -> str:
    """Make the token say it is an administrator's address; the signature stays the old one."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "boss@hospital.test"
    return ".".join((header, _b64(json.dumps(claims).encode()), signature))


class Relay(BaseHTTPRequestHandler):
    """Forwards every request to the provider; rewrites the ID token in token answers."""

    upstream = ""

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = dict(self.headers.items())  # Host kept: the provider names the relay in URLs
        request = urllib.request.Request(  # noqa: S310 - a local test relay
            self.upstream + self.path, data=body, headers=headers, method=self.command
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=10)
        except urllib.error.HTTPError as err:
            response = err
        data = response.read()
        if self.path.startswith("/token") and response.status == 200:
            answer = json.loads(data)
            answer["id_token"] = _tamper(answer["id_token"])
            data = json.dumps(answer).encode()
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, *args):
        pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


@pytest.fixture(scope="module")
def relayed_provider(tmp_path_factory):
    relay_port = harness.free_port()
    running = harness.start(tmp_path_factory.mktemp("oidc-relay"), [CALLBACK], [], relay_port)
    Relay.upstream = running.upstream
    server = ThreadingHTTPServer(("127.0.0.1", relay_port), Relay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield running
    server.shutdown()
    running.stop()


@pytest.fixture
def app_config(relayed_provider):
    return harness.sso_settings(relayed_provider.issuer)


def test_a_tampered_id_token_is_refused(app, client, make_user):
    make_user("admin", email="boss@hospital.test")
    start = client.get("/sso/hospital/login")
    back = harness.at_provider(start.headers["Location"], "bob", APP_BASE)
    answer = client.get(back[len(APP_BASE) - 1 :])
    assert answer.status_code == 400
    assert "did not pass our checks" in answer.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not signed in, as anyone
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "bob@hospital.test")) is None
