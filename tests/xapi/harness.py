"""Start and stop a real Ralph LRS (ralph-malph from PyPI, in .venv-ralph) on a free port.

Ralph's pins (pydantic, fastapi, ...) are its own, so it lives in a venv of its own that
`make test` creates. Without it the xAPI tests skip with one line saying how to install it,
unless SMRESIDENCY_REQUIRE_SERVICES is set (CI), where they fail instead.
"""

import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.oidc.harness import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("SMRESIDENCY_RALPH_VENV") or ROOT / ".venv-ralph")
USER, PASSWORD = "smresidency-tests", "a-password-only-the-tests-know"
HEADERS = {"X-Experience-API-Version": "1.0.3"}


def missing(what: str) -> None:
    """Skip, or under SMRESIDENCY_REQUIRE_SERVICES (CI) fail: the LRS must run there."""
    message = f"{what}: run `make .venv-ralph/.installed` (make test does) to install Ralph"
    if os.environ.get("SMRESIDENCY_REQUIRE_SERVICES"):
        pytest.fail(message + " (SMRESIDENCY_REQUIRE_SERVICES is set)")
    pytest.skip(message)


class Ralph:
    """One Ralph LRS with a file-system store; stop() and start() keep its statements."""

    def __init__(self, home: Path):
        self.home, self.port, self.process = home, free_port(), None
        self.data = home / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(home / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
        }

    @property
    def url(self) -> str:
        """The xAPI base an endpoint setting names; statements go to <url>/statements."""
        return f"http://127.0.0.1:{self.port}/xAPI"

    def make_credentials(self) -> None:
        subprocess.run(
            [
                *(VENV / "bin" / "ralph", "auth", "-u", USER, "-p", PASSWORD, "-s", "all"),
                *("-M", "mailto:lrs@example.org", "-w"),
            ],
            env=self.env,
            cwd=self.home,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        # not `ralph runserver`: it reloads on file changes and its file store cannot append
        server = Path(__file__).with_name("ralph_server.py")
        command = [VENV / "bin" / "python", server, "127.0.0.1", str(self.port)]
        log = open(self.home / "ralph.log", "ab")  # noqa: SIM115 (kept open for the process)
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.home / "ralph.log").read_text()[-2000:])
            try:
                requests.get(f"{self.url}/statements", auth=(USER, PASSWORD), timeout=10)
                return
            except requests.RequestException:  # not listening yet, or still starting up
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("Ralph did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def statements(self, prefix: str) -> list[dict]:
        """Every stored statement whose object id starts with `prefix`, following `more`."""
        found, url = [], f"{self.url}/statements?limit=500"
        while url:
            answer = requests.get(url, auth=(USER, PASSWORD), headers=HEADERS, timeout=30)
            answer.raise_for_status()
            body = answer.json()
            found += body["statements"]
            more = body.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return [s for s in found if s["object"]["id"].startswith(prefix)]

    def endpoint(self) -> dict:
        return {"url": self.url, "key": USER, "secret": PASSWORD}


def start(home: Path) -> Ralph:
    if not (VENV / "bin" / "ralph").exists():
        missing(f"Ralph not found in {VENV}")
    ralph = Ralph(home)
    ralph.make_credentials()
    ralph.start()
    return ralph
