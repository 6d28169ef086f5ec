"""Constants of the benchmark: endpoints, targets, limits."""

from __future__ import annotations

from pathlib import Path

from course import COURSE_SLUG

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "results.json"
COURSE = f"/courses/{COURSE_SLUG}"

# (label, path, target as a fraction of /healthz req/s, whose session cookie it sends).
# "{cohort}" is the large cohort's id.
ENDPOINTS = [
    ("healthz", "/healthz", None, None),
    ("course page", COURSE, 0.4, "learner"),
    ("module page", f"{COURSE}/modules/01-why-social-media", 0.45, "learner"),
    ("cohort dashboard", "/cohorts/{cohort}", 0.1, "coordinator"),
]
QUIZ_LABEL, QUIZ_PATH, QUIZ_TARGET = "quiz submission", "POST /quiz/<token>", 0.20
VERIFY_LABEL, VERIFY_PATH = "verification page", "/verify/<code>"  # no target
# The server's VERIFY_MAX_PER_MINUTE (default 30 per address): far above anything 8
# connections from one address can send, so the page is measured, not its 429 refusals.
VERIFY_MAX_PER_MINUTE = 10_000_000
PDF_CERTIFICATES = 9  # certificates the in-process PDF loop goes round (3 of each status)
WORKER_RSS_TARGET_MB = 120
DASHBOARD_PAGE = 50  # the dashboard's first page lists this many learners (cohorts.dashboard)
PDF_TARGET_PER_S = 30  # certificate PDFs per second of one worker's CPU (issue 17)
BURST_TARGET = 2000  # submissions in the burst (issue 17: all graded in under 10 s)
BURST_TARGET_S = 10.0
BURST_REPLAYS = 100  # burst submissions sent again: a repeat must change nothing
OTHER_CPU_WARNING = 0.2  # cores used by unrelated processes that make a run suspect

ARGON2 = {
    # What tests/e2e/conftest.py gives its live server: sign-ins cost next to nothing.
    "cheap": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    # The app's own defaults (auth/passwords.py): each sign-in allocates 19 MiB in a worker.
    "production": {"time_cost": 2, "memory_cost": 19456, "parallelism": 1},
}
