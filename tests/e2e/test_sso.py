"""Chromium signs in through the real OpenID provider (npm oidc-provider) and lands with the
role the provider's group maps to; signing out signs out at the provider too."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.extensions import db
from tests.e2e.conftest import ROOT
from tests.oidc import harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def sso_server(app, database_url, tmp_path):
    """gunicorn with the five SSO settings (and a group mapping) pointing at a real provider."""
    port = harness.free_port()
    base = f"http://127.0.0.1:{port}"
    provider = harness.start(
        tmp_path, [f"{base}/sso/hospital/callback"], [f"{base}/sso/signed-out"]
    )
    settings = harness.sso_settings(provider.issuer)
    env = {
        **os.environ,
        "SMRESIDENCY_ENV": "testing",
        "SMRESIDENCY_SECRET_KEY": "sso-live-server-secret-key-for-browser-tests",
        "SMRESIDENCY_DATABASE_URL": database_url,
        "SMRESIDENCY_INSTANCE_PATH": str(tmp_path / "instance"),
        "SMRESIDENCY_JOBS_EAGER": "true",
        **{
            f"SMRESIDENCY_{k}": v if isinstance(v, str) else json.dumps(v)
            for k, v in settings.items()
        },
    }
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):  # noqa: S310
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        provider.stop()
        pytest.fail("the SSO live server did not start; see " + log.name)
    yield base
    server.terminate()
    server.wait(timeout=10)
    log.close()
    provider.stop()


def test_sign_in_through_the_provider_lands_as_coordinator(app, sso_server, page, check_a11y):
    page.goto(sso_server + "/login")
    check_a11y(page)
    page.get_by_role("link", name="Sign in with Test Hospital").click()
    page.get_by_label("Login").fill("alice")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome, Alice Coordinator.")).to_be_visible()
    assert page.url.startswith(sso_server)
    # the coordinators' group gave the coordinator role: the Cohorts page is in the menu
    page.get_by_role("link", name="Cohorts").click()
    expect(page).to_have_url(sso_server + "/cohorts")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "alice@hospital.test"))
        assert user.roles == {"coordinator"}

    # the sign-out POST answers with a redirect to the provider's end-session endpoint,
    # which the page's CSP (form-action) allows for this session
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(sso_server + "/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    check_a11y(page)
    page.goto(sso_server + "/account")
    expect(page).to_have_url(re.compile(re.escape(sso_server) + r"/login"))
    # the provider's session ended too: signing in again asks who you are
    page.goto(sso_server + "/login")
    page.get_by_role("link", name="Sign in with Test Hospital").click()
    expect(page.get_by_label("Login")).to_be_visible()
    page.get_by_label("Login").fill("alice")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome, Alice Coordinator.")).to_be_visible()
    assert not page.csp_violations, page.csp_violations
