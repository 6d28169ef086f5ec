"""The machine a run measured on, for the JSON."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import database as databases
import wrk as wrk_tool


def machine_info(database: databases.Database, tool: str, wrk: str | None) -> dict:
    """CPUs, memory, versions of Python, the web stack and the database, and the tool."""
    from importlib.metadata import version

    info = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpuinfo("model name"),
        "memory_total_mb": _meminfo_mb("MemTotal"),
        "load_average_at_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "gunicorn": version("gunicorn"),
        "flask": version("flask"),
        "sqlalchemy": version("sqlalchemy"),
        "database": database.kind,
        "database_version": databases.version(database),
        "tool": tool,
    }
    if tool == "wrk" and wrk:
        info["wrk_version"] = wrk_tool.wrk_version(wrk)
    return info


def _cpuinfo(key: str) -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _meminfo_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None
