"""Start and stop the npm oidc-provider (tests/oidc/provider.mjs); walk its pages like a browser.

Without node or node_modules/oidc-provider the SSO tests skip with one line saying how to
install them, unless SMRESIDENCY_REQUIRE_SERVICES is set (CI), where they fail instead.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
CLIENT_ID = "smresidency-tests"
CLIENT_SECRET = "a-client-secret-only-the-tests-know"

# The people the provider knows. Logins with the same `sub` are one person whose groups changed.
ACCOUNTS = {
    "alice": {
        "sub": "alice-1",
        "email": "alice@hospital.test",
        "email_verified": True,
        "name": "Alice Coordinator",
        "groups": ["residency-coordinators"],
    },
    "bob": {
        "sub": "bob-1",
        "email": "bob@hospital.test",
        "email_verified": True,
        "name": "Bob Nurse",
        "groups": ["nursing"],
    },
    "carol": {
        "sub": "carol-1",
        "email": "carol@hospital.test",
        "email_verified": True,
        "name": "Carol Linked",
    },
    "mallory": {
        "sub": "mallory-1",
        "email": "victim@hospital.test",
        "email_verified": False,
        "name": "Mallory",
    },
    "outsider": {
        "sub": "out-1",
        "email": "someone@elsewhere.test",
        "email_verified": True,
        "name": "Outsider",
    },
    "erin": {
        "sub": "erin-1",
        "email": "erin@hospital.test",
        "email_verified": True,
        "name": "Erin",
        "groups": ["residency-coordinators"],
    },
    "erin-moved": {
        "sub": "erin-1",
        "email": "erin@hospital.test",
        "email_verified": True,
        "name": "Erin",
        "groups": ["nursing"],
    },
}
ROLE_MAP = {"residency-coordinators": "coordinator"}


def missing(what: str) -> None:
    """Skip, or under SMRESIDENCY_REQUIRE_SERVICES (CI) fail: the provider must run there."""
    message = f"{what}: run `npm ci` (make test does) to install node_modules/oidc-provider"
    if os.environ.get("SMRESIDENCY_REQUIRE_SERVICES"):
        pytest.fail(message + " (SMRESIDENCY_REQUIRE_SERVICES is set)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    upstream: str  # where it listens (the issuer differs when a relay is in front)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start(
    tmp: Path, redirect_uris, logout_uris=(), issuer_port=None, logout=True
) -> RunningProvider:
    """The provider on a free port; its issuer may name another port (a proxy in front);
    logout=False plays a provider without RP-initiated logout."""
    node = shutil.which("node")
    if node is None:
        missing("node not found")
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").exists():
        missing("node_modules/oidc-provider not found")
    port = free_port()
    issuer = f"http://127.0.0.1:{issuer_port or port}"
    config = {
        "issuer": issuer,
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": list(redirect_uris),
                "post_logout_redirect_uris": list(logout_uris),
            }
        ],
        "accounts": ACCOUNTS,
        "rpInitiatedLogout": logout,
    }
    path = tmp / f"oidc-{port}.json"
    path.write_text(json.dumps(config))
    log = open(tmp / f"oidc-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen([node, str(SCRIPT), str(path)], cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the OpenID provider exited; see {log.name}")
        try:
            url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
            if requests.get(url, timeout=1).status_code == 200:
                return RunningProvider(issuer, process, f"http://127.0.0.1:{port}")
        except requests.RequestException:
            time.sleep(0.1)
    process.terminate()
    pytest.fail(f"the OpenID provider did not start; see {log.name}")


def sso_settings(issuer: str, **extra) -> dict:
    """The five settings a hospital sets, plus the test provider's role mapping."""
    return {
        "SSO_ISSUER": issuer,
        "SSO_CLIENT_ID": CLIENT_ID,
        "SSO_CLIENT_SECRET": CLIENT_SECRET,
        "SSO_LABEL": "Sign in with Test Hospital",
        "SSO_ALLOWED_DOMAINS": ["hospital.test"],
        "SSO_ROLE_MAP": ROLE_MAP,
        "SSO_SCOPE": "openid email profile groups",
        **extra,
    }


def at_provider(authorize_url: str, login: str | None, app_base: str, cancel=False) -> str:
    """Follow the provider's pages as a browser would; return the URL it sends back to the app."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(12):
        if url.startswith(app_base):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, response.text
        assert 'name="login"' in response.text, response.text
        form_url = urljoin(url, response.text.split('action="')[1].split('"')[0])
        data = {"login": login or "", "action": "deny" if cancel else "login"}
        response = browser.post(form_url, data=data, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        url = urljoin(form_url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back to the app")
