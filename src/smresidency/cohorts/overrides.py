"""Staff overrides on one learner's record; each carries a reason and lands in the audit log."""

from smresidency.admin.audit import record
from smresidency.cohorts import services
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.quizzes.models import QuizOverride

QUIZ_KINDS = {
    "extra_attempt": "One more quiz attempt",
    "clear_cooldown": "Cooldown cleared",
}
ENROLMENT_KINDS = ("withdraw", "readmit", "move")


def grant_quiz(enrolment: Enrolment, module, kind: str, reason: str, by) -> QuizOverride:
    """Loosen the learner's limits at one module's quiz; standing() reads the row."""
    if kind not in QUIZ_KINDS:
        raise services.CohortError("Unknown override.")
    if not module.current or not module.current.has_quiz:
        raise services.CohortError("This module has no quiz.")
    override = QuizOverride(
        user_id=enrolment.user_id,
        module_id=module.id,
        kind=kind,
        reason=reason,
        granted_by_id=by.id,
    )
    db.session.add(override)
    db.session.flush()
    record(
        by,
        "override",
        target_user=enrolment.user_id,
        after={"kind": kind, "module": module.slug, "cohort": enrolment.cohort_id},
        detail=reason,
    )
    return override


def change_enrolment(
    enrolment: Enrolment, cohort: Cohort, kind: str, reason: str, by, target: Cohort | None = None
) -> None:
    """Withdraw, readmit or move through the cohorts services, then audit before and after."""
    before = {"cohort": enrolment.cohort_id, "status": enrolment.status}
    if kind == "withdraw":
        services.withdraw(enrolment, by)
    elif kind == "readmit":
        services.readmit(enrolment, cohort, by)
    elif kind == "move" and target is not None:
        services.move(enrolment, target, by)
    else:
        raise services.CohortError("Unknown override.")
    after = {"cohort": enrolment.cohort_id, "status": enrolment.status}
    record(by, "override", target_user=enrolment.user_id, before=before, after=after, detail=reason)
