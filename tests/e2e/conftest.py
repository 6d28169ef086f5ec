"""A real server (gunicorn on 127.0.0.1) and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the tests skip with one line saying how to install it, unless
SMRESIDENCY_REQUIRE_BROWSER is set (CI), where a missing browser fails the run.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SMRESIDENCY_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing(what: str, how: str):
    message = f"{what} not found: {how}"
    if os.environ.get("SMRESIDENCY_REQUIRE_BROWSER"):
        pytest.fail(message + " (SMRESIDENCY_REQUIRE_BROWSER is set)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """gunicorn with two workers serving the test database; yields its base URL."""
    port = _free_port()
    instance = tmp_path_factory.mktemp("live-instance")
    env = {
        **os.environ,
        "SMRESIDENCY_ENV": "testing",
        "SMRESIDENCY_SECRET_KEY": "live-server-secret-key-for-browser-tests-only",
        "SMRESIDENCY_DATABASE_URL": database_url,
        "SMRESIDENCY_ARGON2_TIME_COST": "1",
        "SMRESIDENCY_ARGON2_MEMORY_COST": "1024",
        "SMRESIDENCY_ARGON2_PARALLELISM": "1",
        "SMRESIDENCY_INSTANCE_PATH": str(instance),
    }
    log = open(tmp_path_factory.mktemp("live-log") / "gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("the live server did not start; see " + log.name)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing("Chromium", "install it with `apt-get install chromium` to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: (
            page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing("axe-core", "run `npm ci` (make test does) to install node_modules/axe-core")
    return AXE.read_text()


@pytest.fixture
def check_a11y(axe_source):
    """Run axe-core in the page; fail on serious or critical WCAG 2.1 A/AA violations."""

    def check(page):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        result = page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
        )
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in bad
        ]
        assert not bad, f"{page.url}: " + json.dumps(summary, indent=1)
        assert not page.csp_violations, page.csp_violations

    return check


def in_chromium(body) -> None:
    """Run body(browser) on a thread with its own Chromium; re-raise what it raised.

    For tests that need several browsers in one test (faculty and learner side by side).
    """
    if not Path(CHROMIUM).exists():
        _missing("Chromium", "install it with `apt-get install chromium`")
    failure: list[BaseException] = []

    def run():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    body(browser)
                finally:
                    browser.close()
        except BaseException as err:
            failure.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def new_page(browser, width=390, height=844, **options):
    """A page in a fresh context that records CSP violations, as the e2e pages do."""
    page = browser.new_context(viewport={"width": width, "height": height}, **options).new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text),
    )
    return page
