"""Erasure on request: the person is anonymised in place, so counts and statistics still add up."""

import re
import secrets

from flask import current_app
from sqlalchemy import delete, select, update

from smresidency.admin.audit import record
from smresidency.auth.models import DeviceSession, PasswordResetToken, User
from smresidency.certificates.models import Certificate
from smresidency.certificates.services import revoke
from smresidency.certificates.stored import forget as forget_pdfs
from smresidency.cohorts.models import Enrolment, Reminder
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.plans.models import PlanReview, PlanVersion, StrategyPlan
from smresidency.quizzes.models import QuizAttempt, QuizOverride, QuizResponse

ERASED = "[erased]"
REVOKE_REASON = "erased at the holder's request"


class ErasureRefused(Exception):
    """The person may not be erased (the admin themselves, or already erased)."""


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@erased.invalid"


def erase(user: User, by: User, request_note: str) -> dict:
    """Anonymise the person and their free text; revoke their certificates unless the
    ERASURE_KEEPS_CERTIFICATES retention setting keeps them. Rows stay (with their ids and
    numbers) so cohort figures, dashboards, exports and item analysis are unchanged."""
    if user.id == by.id:
        raise ErasureRefused("You cannot erase your own account.")
    if user.email == erased_email(user.id):
        raise ErasureRefused("This person has already been erased.")
    enrolments = select(Enrolment.id).where(Enrolment.user_id == user.id)
    plans = select(StrategyPlan.id).where(StrategyPlan.enrolment_id.in_(enrolments))
    attempts = select(QuizAttempt.id).where(QuizAttempt.user_id == user.id)
    keep = bool(current_app.config.get("ERASURE_KEEPS_CERTIFICATES", False))
    revoked = []
    for cert in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)):
        if keep:
            continue
        if cert.revoked_at is None:
            revoke(cert, by.id, REVOKE_REASON)
            revoked.append(cert.id)
        cert.recipient_name = ERASED
    if not keep:  # the kept PDFs print the name
        forget_pdfs(select(Certificate.id).where(Certificate.user_id == user.id))
    _free_text(user.id, enrolments, plans, attempts)
    user.name = f"Erased person {user.id}"
    user.email = erased_email(user.id)
    user.password_hash = "!erased"  # noqa: S105 - not a hash, so no password matches
    user.session_token = secrets.token_hex(32)  # every session ends
    user.active = False
    user.timezone = ""
    db.session.execute(delete(DeviceSession).where(DeviceSession.user_id == user.id))
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    summary = {"certificates_revoked": revoked, "certificates_kept": keep}
    record(by, "data.erased", target_user=user, after=summary, detail=request_note)
    db.session.flush()
    return summary


def _free_text(user_id: int, enrolments, plans, attempts) -> None:
    """Replace what the person (or staff about them) wrote; keep every score and flag."""
    db.session.execute(update(Enrolment).where(Enrolment.user_id == user_id).values(department=""))
    db.session.execute(
        update(CheckOff)
        .where(CheckOff.enrolment_id.in_(enrolments))
        .values(note=ERASED, evidence_url="")
    )
    db.session.execute(
        update(PlanVersion).where(PlanVersion.plan_id.in_(plans)).values(sections={})
    )
    db.session.execute(
        update(PlanReview).where(PlanReview.plan_id.in_(plans)).values(comments=ERASED)
    )
    db.session.execute(
        update(Reminder).where(Reminder.enrolment_id.in_(enrolments)).values(body=ERASED)
    )
    db.session.execute(
        update(QuizOverride).where(QuizOverride.user_id == user_id).values(reason=ERASED)
    )
    db.session.execute(
        update(QuizResponse)
        .where(QuizResponse.attempt_id.in_(attempts), QuizResponse.text_answer.is_not(None))
        .values(text_answer=ERASED)
    )
    for attempt in db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id)):
        if attempt.answers:  # typed answers are free text; chosen values are opaque ids
            attempt.answers = {
                k: (ERASED if isinstance(v, str) and not _opaque(v) else v)
                for k, v in attempt.answers.items()
            }


def _opaque(value: str) -> bool:
    """A choice value the quiz generated ("c" and 16 hex digits, or an old index), not typed."""
    return bool(re.fullmatch(r"c[0-9a-f]{16}|\d{1,3}", value))
