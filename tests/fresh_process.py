"""Run Python in a fresh interpreter against a throwaway app: what a new worker would import."""

import os
import subprocess
import sys
import textwrap


def run_python(code: str, tmp_path) -> subprocess.CompletedProcess:
    """`code` (dedented) in a new process, with only this test's SMRESIDENCY_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMRESIDENCY_")}
    env.update(
        SMRESIDENCY_INSTANCE_PATH=str(tmp_path / "instance"),
        SMRESIDENCY_SECRET_KEY="x" * 48,
        SMRESIDENCY_SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "w.db"),
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
