"""Start gunicorn the way tests/e2e/conftest.py does, read its workers' memory, stop it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn master on 127.0.0.1 and where its log goes."""

    proc: subprocess.Popen
    host: str
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def worker_pids(self) -> list[int]:
        """The master's child processes: its workers."""
        return sorted(children(self.proc.pid))

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM (gunicorn's graceful shutdown), then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.returncode


def server_env(settings: dict[str, str]) -> dict[str, str]:
    """The inherited environment without any SMRESIDENCY_* variable, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMRESIDENCY_")}
    env.update({f"SMRESIDENCY_{k}": str(v) for k, v in settings.items()})
    return env


def start(settings: dict[str, str], workers: int, log_path: Path, wait: float = 30) -> Server:
    """gunicorn -w N -b 127.0.0.1:PORT wsgi:app; returns once /healthz answers 200."""
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 - handed to the child, closed when it exits
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=server_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    server = Server(proc, "127.0.0.1", port, log_path)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if _healthy(server) and len(server.worker_pids()) >= workers:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not become healthy; its log ends with:\n{server.log_tail()}")


def drain(server: Server, timeout: float = 30) -> float:
    """Wait for requests a client stopped waiting for (at the end of a warm-up) to finish.

    gunicorn's sync workers finish a request whose client has gone, so a slow page leaves a
    queue behind that would eat into the next measurement. A fresh /healthz request queues
    behind it; once it is answered the queue has gone. Returns the seconds it took.
    """
    began = time.monotonic()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        conn.getresponse().read()
    except OSError:
        pass
    finally:
        conn.close()
    return time.monotonic() - began


def _healthy(server: Server) -> bool:
    try:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=1)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def children(pid: int) -> set[int]:
    """Child pids from /proc/<pid>/task/*/children, else by scanning /proc/*/stat for ppid."""
    found: set[int] = set()
    tasks = Path(f"/proc/{pid}/task")
    try:
        for task in tasks.iterdir():
            text = (task / "children").read_text()
            found.update(int(p) for p in text.split())
        return found
    except OSError:
        pass
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which sits in parentheses and may contain spaces.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def memory(pid: int) -> dict[str, float | None]:
    """VmHWM (peak resident set) and VmRSS of a process, in MiB, from /proc/<pid>/status."""
    values: dict[str, float | None] = {"peak_rss_mb": None, "rss_mb": None}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                kib = int(rest.split()[0])
                values["peak_rss_mb" if key == "VmHWM" else "rss_mb"] = round(kib / 1024, 1)
    except OSError:
        pass
    return values
