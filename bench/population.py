"""Who the benchmark seeds: learners in cohorts, their coordinators, enrolments and progress.

Bulk-inserted for speed; one argon2 hash, computed once, is shared by every account.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

PASSWORD = "bench passphrase for seeded learners"  # noqa: S105 - throwaway benchmark accounts
EMAIL_DOMAIN = "bench.example.org"
BURST_PREFIX = "learner-burst-"  # the burst's learners: their pool is kept apart


def email_for(cohort: int, member: int) -> str:
    return f"learner-c{cohort:02d}-{member:02d}@{EMAIL_DOMAIN}"


LARGE_COORDINATOR = f"coordinator-large@{EMAIL_DOMAIN}"
COHORT_TIMEZONE = "Europe/London"
DEPARTMENTS = (
    "Emergency department",
    "Paediatrics",
    "Pharmacy",
    "Communications",
    "Outpatients",
    "Facilities",
    "Critical care",
    "Education centre",
)


def people(cohorts: int, per_cohort: int, large: int, rng, more) -> list[dict]:
    """Every account to insert: learners by cohort, then one coordinator per cohort.

    `cohort` numbers the cohorts from 1; the large cohort is number cohorts + 1.
    """
    people = []
    for c in range(1, cohorts + 1):
        for m in range(1, per_cohort + 1):
            people.append(
                {
                    "email": email_for(c, m),
                    "name": f"Cohort {c:02d} Learner {m:02d}",
                    "role": "learner",
                    "cohort": c,
                    "created_at_days": rng.randint(30, 120),
                }
            )
    for m in range(1, large + 1):
        people.append(
            {
                "email": f"learner-large-{m:03d}@{EMAIL_DOMAIN}",
                "name": f"Large Cohort Learner {m:03d}",
                "role": "learner",
                "cohort": cohorts + 1,
                "created_at_days": more.randint(30, 120),
            }
        )
    for c in range(1, cohorts + 1):
        people.append(
            {
                "email": f"coordinator-c{c:02d}@{EMAIL_DOMAIN}",
                "name": f"Cohort {c:02d} Coordinator",
                "role": "coordinator",
                "cohort": c,
                "created_at_days": more.randint(120, 365),
            }
        )
    if large:
        people.append(
            {
                "email": LARGE_COORDINATOR,
                "name": "Large Cohort Coordinator",
                "role": "coordinator",
                "cohort": cohorts + 1,
                "created_at_days": more.randint(120, 365),
            }
        )
    return people


def insert_users(db, people: list[dict], shared_hash: str) -> dict[str, int]:
    """Bulk-insert the accounts and their one role each; returns e-mail -> user id."""
    from smresidency.auth.models import User, UserRole

    now = datetime.now(UTC)
    db.session.execute(
        insert(User),
        [
            {
                "email": p["email"],
                "name": p["name"],
                "password_hash": shared_hash,
                "session_token": secrets.token_urlsafe(32),
                "active": True,
                "created_at": now - timedelta(days=p["created_at_days"]),
            }
            for p in people
        ],
    )
    ids = dict(db.session.execute(select(User.email, User.id)).all())
    db.session.execute(
        insert(UserRole), [{"user_id": ids[p["email"]], "role": p["role"]} for p in people]
    )
    return ids


def insert_cohorts(db, course_id: int, cohorts: int, large: int, rng) -> dict[int, int]:
    """The cohorts, immersion days 2 to 60 days ahead; returns cohort number -> id."""
    from smresidency.cohorts.models import Cohort, new_invite_nonce

    now = datetime.now(UTC)
    numbers = list(range(1, cohorts + 1)) + ([cohorts + 1] if large else [])
    rows = []
    for n in numbers:
        is_large = n > cohorts
        rows.append(
            {
                "course_id": course_id,
                "name": "Bench large cohort" if is_large else f"Bench cohort {n:02d}",
                "immersion_date": (now + timedelta(days=rng.randint(2, 60))).date(),
                "timezone": COHORT_TIMEZONE,
                "place": f"Education centre, room {rng.randint(1, 12)}",
                "online_link": "",
                "capacity": large if is_large else 20,
                "invite_nonce": new_invite_nonce(),
                "created_at": now - timedelta(days=rng.randint(31, 90)),
            }
        )
    if rows:
        db.session.execute(insert(Cohort), rows)
    by_name = dict(db.session.execute(select(Cohort.name, Cohort.id)).all())
    return {n: by_name[r["name"]] for n, r in zip(numbers, rows, strict=True)}


def insert_enrolments(db, course_id, people, ids, cohort_ids, rng) -> int:
    """One active enrolment per learner (enrolled in the last 30 days), a coordinator each."""
    from smresidency.cohorts.models import PROFESSIONS, CohortStaff, Enrolment

    now = datetime.now(UTC)
    enrolments = [
        {
            "cohort_id": cohort_ids[p["cohort"]],
            "user_id": ids[p["email"]],
            "course_id": course_id,
            "profession": rng.choice(PROFESSIONS),
            "department": rng.choice(DEPARTMENTS),
            "status": "active",
            "enrolled_at": now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 1439)),
            "withdrawn_at": None,
            "updated_by_id": None,
        }
        for p in people
        if p["role"] == "learner"
    ]
    staff = [
        {"cohort_id": cohort_ids[p["cohort"]], "user_id": ids[p["email"]], "role": "coordinator"}
        for p in people
        if p["role"] == "coordinator"
    ]
    if enrolments:
        db.session.execute(insert(Enrolment), enrolments)
    if staff:
        db.session.execute(insert(CohortStaff), staff)
    return len(enrolments)


def progress_rows(emails, ids, modules, rng) -> tuple[list[dict], dict[str, int]]:
    """Progress that follows course order: the first k modules complete, maybe one more read.

    Every module of the course has a quiz, so a module is "read" before it is "complete".
    About 10% have not started, 10% have finished, the rest are somewhere in between.
    """
    now = datetime.now(UTC)
    rows: list[dict] = []
    completed: dict[str, int] = {}
    n = len(modules)
    for email in emails:
        roll = rng.random()
        if roll < 0.10:
            done = 0
        elif roll < 0.20:
            done = n
        else:
            done = rng.randint(1, n - 1)
        completed[email] = done
        reading = done < n and rng.random() < 0.5
        moment = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
        for position, (module_id, version_id) in enumerate(modules):
            if position > done or (position == done and not reading):
                break
            read_at = moment
            moment += timedelta(minutes=rng.randint(10, 40))
            completed_at = None
            if position < done:
                completed_at = moment
                moment += timedelta(minutes=rng.randint(1, 600))
            rows.append(
                {
                    "user_id": ids[email],
                    "module_id": module_id,
                    "version_id": version_id,
                    "read_at": read_at,
                    "completed_at": completed_at,
                    "updated_at": completed_at or read_at,
                }
            )
    return rows, completed


def insert_burst(db, course_id: int, count: int, shared_hash: str, rng) -> dict[str, int]:
    """`count` learners who have not started, enrolled in a cohort of their own.

    Each can take module 1's quiz, so the burst has one open attempt per learner, none
    taken from the quiz-submission pool. Drawn from an RNG of their own and inserted after
    everyone else, so nothing seeded before changes. Returns e-mail -> user id.
    """
    from smresidency.auth.models import User, UserRole
    from smresidency.cohorts.models import PROFESSIONS, Cohort, Enrolment, new_invite_nonce

    if count <= 0:
        return {}
    now = datetime.now(UTC)
    emails = [f"{BURST_PREFIX}{n:04d}@{EMAIL_DOMAIN}" for n in range(1, count + 1)]
    db.session.execute(
        insert(User),
        [
            {
                "email": email,
                "name": f"Burst Learner {n:04d}",
                "password_hash": shared_hash,
                "session_token": secrets.token_urlsafe(32),
                "active": True,
                "created_at": now - timedelta(days=rng.randint(1, 30)),
            }
            for n, email in enumerate(emails, 1)
        ],
    )
    ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    db.session.execute(insert(UserRole), [{"user_id": ids[e], "role": "learner"} for e in emails])
    cohort = {
        "course_id": course_id,
        "name": "Bench burst cohort",
        "immersion_date": (now + timedelta(days=rng.randint(2, 60))).date(),
        "timezone": COHORT_TIMEZONE,
        "place": "Education centre, main hall",
        "online_link": "",
        "capacity": count,
        "invite_nonce": new_invite_nonce(),
        "created_at": now - timedelta(days=rng.randint(31, 90)),
    }
    db.session.execute(insert(Cohort), [cohort])
    cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.name == cohort["name"]))
    db.session.execute(
        insert(Enrolment),
        [
            {
                "cohort_id": cohort_id,
                "user_id": ids[e],
                "course_id": course_id,
                "profession": rng.choice(PROFESSIONS),
                "department": rng.choice(DEPARTMENTS),
                "status": "active",
                "enrolled_at": now
                - timedelta(days=rng.randint(0, 6), minutes=rng.randint(0, 1439)),
                "withdrawn_at": None,
                "updated_by_id": None,
            }
            for e in emails
        ],
    )
    return ids
