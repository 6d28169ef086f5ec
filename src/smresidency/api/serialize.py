"""Rows to the JSON shapes the OpenAPI document (api.openapi) declares; nothing else leaks."""

from smresidency.certificates.links import verify_url
from smresidency.db import as_utc


def _time(moment) -> str | None:
    """ISO 8601 in UTC, or None."""
    return as_utc(moment).isoformat().replace("+00:00", "Z") if moment else None


def course(row, modules: list) -> dict:
    """A course with its current modules in order."""
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "hours": float(row.hours or 0),
        "modules": [{"slug": m.slug, "title": m.title, "minutes": m.minutes} for m in modules],
    }


def cohort(row) -> dict:
    """A cohort with its course's slug."""
    return {
        "id": row.id,
        "name": row.name,
        "course": row.course.slug,
        "immersion_date": row.immersion_date.isoformat(),
        "timezone": row.timezone,
        "capacity": row.capacity,
    }


def enrolment(row) -> dict:
    """An enrolment, its progress figures and its quiz results (never the answers)."""
    enrolment, name, email, summary, (attempts, passed, best) = row
    return {
        "id": enrolment.id,
        "name": name,
        "email": email,
        "profession": enrolment.profession,
        "department": enrolment.department,
        "status": enrolment.status,
        "enrolled_at": _time(enrolment.enrolled_at),
        "progress": {
            "modules_read": summary.modules_read if summary else 0,
            "modules_complete": summary.modules_complete if summary else 0,
            "items_checked": summary.items_checked if summary else 0,
            "plan_state": summary.plan_state if summary else "",
            "certificate_state": summary.certificate_state if summary else "",
            "last_activity_at": _time(summary.last_activity_at) if summary else None,
        },
        "quiz_results": {
            "attempts": int(attempts),
            "modules_passed": int(passed),
            "best_score": float(best) if best is not None else None,
        },
    }


def certificate(row) -> dict:
    """A certificate with the public page where anyone can check it."""
    return {
        "id": row.id,
        "serial": row.serial,
        "recipient_name": row.recipient_name,
        "course_title": row.course_title,
        "organisation": row.organisation,
        "hours": float(row.hours or 0),
        "issued_at": _time(row.issued_at),
        "expires_at": _time(row.expires_at),
        "revoked_at": _time(row.revoked_at),
        "verification_url": verify_url(row),
        "continuing_education": {  # CE/CPD as snapshotted at issue (certificates/ce.py)
            "contact_hours": float(row.hours if row.contact_hours is None else row.contact_hours),
            "accreditation_statement": row.accreditation or "",
            "provider_id": row.provider_id or "",
        },
    }
