"""Everything the platform holds about one person, as a zip of JSON and one CSV per table."""

import csv
import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import or_, select

from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.learning.models import ModuleProgress
from smresidency.plans.models import PlanReview, PlanVersion, StrategyPlan
from smresidency.quizzes.models import QuizAttempt, QuizOverride, QuizResponse
from smresidency.ratings.models import SelfRating

SECRET_COLUMNS = {"password_hash", "session_token", "token_hash"}


def _plain(value):
    """A cell as JSON and CSV can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(model, *where) -> list[dict]:
    """Every row of `model` matching `where`, as column → value, secrets left out."""
    columns = [c.key for c in model.__table__.columns if c.key not in SECRET_COLUMNS]
    found = db.session.scalars(select(model).where(*where).order_by(model.id)).all()
    return [{k: _plain(getattr(row, k)) for k in columns} for row in found]


def collect(user: User) -> dict[str, list[dict]]:
    """Each kind of record about the person, in a fixed number of statements."""
    enrolments = select(Enrolment.id).where(Enrolment.user_id == user.id)
    attempts = select(QuizAttempt.id).where(QuizAttempt.user_id == user.id)
    plans = select(StrategyPlan.id).where(StrategyPlan.enrolment_id.in_(enrolments))
    return {
        "profile": _rows(User, User.id == user.id),
        "enrolments": _rows(Enrolment, Enrolment.user_id == user.id),
        "progress": _rows(ModuleProgress, ModuleProgress.user_id == user.id),
        "quiz_attempts": _rows(QuizAttempt, QuizAttempt.user_id == user.id),
        "quiz_answers": _rows(QuizResponse, QuizResponse.attempt_id.in_(attempts)),
        "quiz_overrides": _rows(QuizOverride, QuizOverride.user_id == user.id),
        "plans": _rows(StrategyPlan, StrategyPlan.id.in_(plans)),
        "plan_versions": _rows(PlanVersion, PlanVersion.plan_id.in_(plans)),
        "plan_reviews": _rows(PlanReview, PlanReview.plan_id.in_(plans)),
        "evidence_and_checklist": _rows(CheckOff, CheckOff.enrolment_id.in_(enrolments)),
        "ratings": _rows(SelfRating, SelfRating.enrolment_id.in_(enrolments)),
        "certificates": _rows(Certificate, Certificate.user_id == user.id),
        "audit_entries": _rows(
            AuditEntry, or_(AuditEntry.target_user_id == user.id, AuditEntry.actor_id == user.id)
        ),
    }


def _csv(rows: list[dict]) -> str:
    """One table as CSV; nested values (answers, plan sections) as JSON text."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
            )
    return out.getvalue()


def zip_of(data: dict[str, list[dict]]) -> bytes:
    """data.json with everything, and one CSV per kind of record."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name, rows in data.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
