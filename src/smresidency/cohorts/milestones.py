"""The immersion checklist, strategy plan and certificate of each learner in a cohort.

Three statements whatever the cohort size; the dashboard, its export and the filters use them.
"""

from dataclasses import dataclass

from sqlalchemy import select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db


@dataclass
class Milestones:
    """How far one enrolment is beyond the online modules."""

    required_done: int = 0
    required_total: int = 0
    plan: str = ""  # "" (not started) | draft | submitted | returned | accepted
    certificate: str = ""  # serial, or "" when none
    certificate_revoked: bool = False

    @property
    def immersion_complete(self) -> bool:
        return self.required_done >= self.required_total

    @property
    def immersion_text(self) -> str:
        return f"{self.required_done} of {self.required_total}" if self.required_total else "—"

    @property
    def certificate_text(self) -> str:
        if not self.certificate:
            return "—"
        return f"{self.certificate} (revoked)" if self.certificate_revoked else self.certificate


def for_cohort(cohort_id: int, course) -> dict[int, Milestones]:
    """enrolment id -> Milestones for everyone ever enrolled in the cohort."""
    # imported here: those packages' blueprints import the cohort views in turn
    from smresidency.certificates.models import Certificate
    from smresidency.immersion.models import CheckOff
    from smresidency.plans.models import StrategyPlan

    required = {i["id"] for i in (course.immersion or {}).get("items", []) if i.get("required")}
    in_cohort = select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
    out: dict[int, Milestones] = {}

    def get(enrolment_id: int) -> Milestones:
        return out.setdefault(enrolment_id, Milestones(required_total=len(required)))

    for enrolment_id, item_id in db.session.execute(
        select(CheckOff.enrolment_id, CheckOff.item_id).where(
            CheckOff.enrolment_id.in_(in_cohort), CheckOff.checked.is_(True)
        )
    ):
        get(enrolment_id).required_done += item_id in required
    for enrolment_id, state in db.session.execute(
        select(StrategyPlan.enrolment_id, StrategyPlan.state).where(
            StrategyPlan.enrolment_id.in_(in_cohort)
        )
    ):
        get(enrolment_id).plan = state
    for enrolment_id, serial, revoked in db.session.execute(
        select(Certificate.enrolment_id, Certificate.serial, Certificate.revoked_at)
        .where(Certificate.enrolment_id.in_(in_cohort))
        .order_by(Certificate.edition)  # the latest edition (a re-issue) is read last and kept
    ):
        stones = get(enrolment_id)
        stones.certificate, stones.certificate_revoked = serial or "", revoked is not None
    return out
