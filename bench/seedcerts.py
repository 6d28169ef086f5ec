"""Certificates for the learners who finished: what the verification page and the PDF read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

CERTIFICATES_AT_LEAST = 100  # topped up from the learners nearest to finishing when fewer finish
REVOKED_SHARE = 0.05
EXPIRED_SHARE = 0.10
REVOKE_REASONS = (
    "Issued in error: the immersion day was not attended.",
    "Plan found to be copied from another resident.",
    "Duplicate record after a name change; reissued.",
)


@dataclass
class Certificates:
    """The certificates seeded, and what the verification and PDF measurements need."""

    count: int = 0
    finished: int = 0  # learners who finished every module (all certified)
    topped_up: int = 0  # certified to reach CERTIFICATES_AT_LEAST although not finished
    statuses: dict[str, int] = field(default_factory=dict)  # valid / expired / revoked
    codes: dict[str, list[str]] = field(default_factory=dict)  # status -> codes
    # (certificate id, owner e-mail, status) for a sample of each status: the PDF measurements
    sample: list[tuple[int, str, str]] = field(default_factory=list)


def insert_certificates(db, course_id, people, ids, finished, nearest, rng) -> Certificates:
    """One Certificate row per learner who finished, inserted in bulk as `services._issue`
    would build it: a snapshot of the user's name, the course's title, organisation and
    hours and the cohort's immersion date and place; a `new_code()` each; the serial
    SMR-<year>-<id:06d> from the row's id, set once the ids exist. About 10% were issued
    more than `expires_months` ago and have expired, about 5% are revoked by their cohort's
    coordinator with a reason; the rest were issued in the last 60 days and are valid.

    Learners are certified regardless of immersion check-offs (none are seeded): the rows
    are what the verification page and the PDF read, not a test of eligibility.
    """
    from smresidency.catalog.models import Course
    from smresidency.certificates.models import Certificate
    from smresidency.certificates.services import new_code
    from smresidency.cohorts.models import Cohort, Enrolment

    now = datetime.now(UTC)
    course = db.session.get(Course, course_id)
    months = (course.certificate or {}).get("expires_months")
    validity = timedelta(days=round(30.44 * months)) if months else None
    topped_up = nearest[: max(0, CERTIFICATES_AT_LEAST - len(finished))]
    chosen = finished + topped_up
    person = {p["email"]: p for p in people}
    coordinator_of = {p["cohort"]: ids[p["email"]] for p in people if p["role"] == "coordinator"}
    enrolment_of = {
        user_id: (enrolment_id, cohort_id)
        for enrolment_id, user_id, cohort_id in db.session.execute(
            select(Enrolment.id, Enrolment.user_id, Enrolment.cohort_id).where(
                Enrolment.course_id == course_id
            )
        )
    }
    cohorts = {c.id: c for c in db.session.scalars(select(Cohort))}
    rows, status_of_code = [], {}
    for email in chosen:
        user_id = ids[email]
        enrolment_id, cohort_id = enrolment_of[user_id]
        cohort = cohorts[cohort_id]
        roll = rng.random()
        if roll < REVOKED_SHARE:
            status = "revoked"
        elif validity and roll < REVOKED_SHARE + EXPIRED_SHARE:
            status = "expired"
        else:
            status = "valid"
        if status == "expired":
            issued = (
                now - validity - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1439))
            )
        else:
            issued = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1439))
        revoked = status == "revoked"
        code = new_code()
        status_of_code[code] = status
        rows.append(
            {
                "user_id": user_id,
                "course_id": course_id,
                "enrolment_id": enrolment_id,
                "cohort_id": cohort_id,
                "serial": None,
                "code": code,
                "recipient_name": person[email]["name"],
                "course_title": course.title,
                "organisation": course.organisation,
                "hours": course.hours,
                "immersion_date": cohort.immersion_date,
                "place": cohort.place or cohort.online_link or "",
                "issued_at": issued,
                "expires_at": issued + validity if validity else None,
                "revoked_at": min(now, issued + timedelta(days=rng.randint(1, 20)))
                if revoked
                else None,
                "revoked_by_id": coordinator_of.get(person[email]["cohort"]) if revoked else None,
                "revoke_reason": rng.choice(REVOKE_REASONS) if revoked else "",
            }
        )
    if not rows:
        return Certificates(finished=len(finished))
    db.session.execute(insert(Certificate), rows)
    made = db.session.execute(
        select(Certificate.id, Certificate.issued_at, Certificate.code, Certificate.user_id)
    ).all()
    db.session.execute(
        update(Certificate),
        [{"id": cid, "serial": f"SMR-{issued.year}-{cid:06d}"} for cid, issued, _, _ in made],
    )
    statuses: dict[str, int] = {}
    for status in status_of_code.values():
        statuses[status] = statuses.get(status, 0) + 1
    email_of = {v: k for k, v in ids.items()}
    codes: dict[str, list[str]] = {}
    sample: list[tuple[int, str, str]] = []
    for cid, _, code, user_id in sorted(made):
        status = status_of_code[code]
        codes.setdefault(status, []).append(code)
        if sum(s == status for _, _, s in sample) < 3:
            sample.append((cid, email_of[user_id], status))
    return Certificates(
        count=len(rows),
        finished=len(finished),
        topped_up=len(topped_up),
        statuses=dict(sorted(statuses.items())),
        codes=codes,
        sample=sample,
    )
