"""Who used the CPUs during a measurement: the server, the client, the database, or others.

On a small shared machine another process (a test suite, a dev server) can take a core
away from the server in the middle of a run; this tells such a run from a slow app.
Linux only: without /proc every figure is None.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy() -> float:
    """CPU-seconds spent busy on all CPUs since boot (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / TICK


def _process(pid: int) -> tuple[str, float] | None:
    """(command name, CPU-seconds used) of a live process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.find("(") + 1 : stat.rfind(")")]
    fields = stat[stat.rfind(")") + 2 :].split()
    return name, (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _client() -> float:
    """This process (every thread) and its children already waited for (wrk)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# The PostgreSQL database the run measures (watch_database); None while it measures SQLite.
_WATCHED: str | None = None


def watch_database(name: str | None) -> None:
    """Count PostgreSQL's CPU towards the server only for this database (None: not at all).

    Other databases on the same server (a test suite's, say) are other processes' load, and
    while SQLite is measured PostgreSQL is no part of the server.
    """
    global _WATCHED
    _WATCHED = name


def _is_other_backend(pid: int) -> bool:
    """A PostgreSQL backend serving a client of another database than the watched one."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return False
    client = "(" in title or "[local]" in title  # "user db 127.0.0.1(5432) idle"
    return client and _WATCHED not in title.split()


def _database() -> float:
    """The watched PostgreSQL database: its backends and the server's own processes
    (postmaster, writers, checkpointer); nothing when no database is watched."""
    if _WATCHED is None:
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _process(int(entry.name))
            if found and found[0].startswith("postgres") and not _is_other_backend(int(entry.name)):
                total += found[1]
    return total


class Meter:
    """Call start() before and stop() after a measurement; stop() returns cores used by each."""

    def __init__(self, server_pids: Callable[[], list[int]]):
        self.server_pids = server_pids
        self._start: dict[str, float] | None = None

    def _sample(self) -> dict[str, float]:
        server = 0.0
        for pid in self.server_pids():
            found = _process(pid)
            server += found[1] if found else 0.0
        return {
            "wall": time.monotonic(),
            "machine": _machine_busy(),
            "server": server,
            "client": _client(),
            "database": _database(),
        }

    def start(self) -> None:
        try:
            self._start = self._sample()
        except OSError:
            self._start = None

    def stop(self) -> dict[str, float | None]:
        empty = dict.fromkeys(("server", "client", "database", "other", "machine"), None)
        if self._start is None:
            return empty
        try:
            end = self._sample()
        except OSError:
            return empty
        wall = end["wall"] - self._start["wall"]
        if wall <= 0:
            return empty
        used = {k: (end[k] - self._start[k]) / wall for k in end if k != "wall"}
        used["other"] = max(
            0.0, used["machine"] - used["server"] - used["client"] - used["database"]
        )
        return {k: round(v, 2) for k, v in used.items()}
