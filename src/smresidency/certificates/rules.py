"""The certificate rule, read from the facts rather than from the checklist's flags alone.

Every live (not retired) module of the course must be complete, as the learner's pages
count it; the plan item counts when the enrolment's plan is accepted, the "after" rating
item when the learner gave it, and every other required item when it is ticked.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from smresidency.catalog.models import Course, Module, ModuleVersion, current_version
from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.immersion.services import DERIVED_KINDS
from smresidency.learning.models import ModuleProgress


@dataclass
class Eligibility:
    """What is still missing before a certificate can be issued (empty lists: eligible)."""

    modules: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.modules and not self.items


def modules_missing(user_id: int, course_id: int) -> list[str]:
    """Titles of the course's live modules, in order, that this learner has not completed."""
    completed = set(
        db.session.scalars(
            select(ModuleProgress.module_id).where(
                ModuleProgress.user_id == user_id, ModuleProgress.completed_at.is_not(None)
            )
        )
    )
    live = db.session.execute(
        select(Module.id, ModuleVersion.title)
        .join(ModuleVersion, current_version())
        .where(Module.course_id == course_id, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    return [title for module_id, title in live if module_id not in completed]


def derived_facts(enrolment_id: int) -> dict[str, bool]:
    """kind -> whether its fact holds: an accepted plan, a rating given after the residency."""
    from smresidency.plans.models import StrategyPlan
    from smresidency.ratings.models import SelfRating

    accepted = db.session.scalar(
        select(StrategyPlan.id).where(
            StrategyPlan.enrolment_id == enrolment_id, StrategyPlan.state == "accepted"
        )
    )
    rated = db.session.scalar(
        select(SelfRating.id).where(
            SelfRating.enrolment_id == enrolment_id, SelfRating.phase == "post"
        )
    )
    return {"plan": accepted is not None, "self-rating": rated is not None}


def eligibility(enrolment: Enrolment, course: Course) -> Eligibility:
    """Every live module complete, and every required checklist item done by its own rule."""
    ticked = set(
        db.session.scalars(
            select(CheckOff.item_id).where(
                CheckOff.enrolment_id == enrolment.id, CheckOff.checked.is_(True)
            )
        )
    )
    facts = derived_facts(enrolment.id)
    required = [i for i in (course.immersion or {}).get("items", []) if i.get("required")]
    return Eligibility(
        modules=modules_missing(enrolment.user_id, course.id),
        items=[
            i["title"]
            for i in required
            if not (facts[i["kind"]] if i["kind"] in DERIVED_KINDS else i["id"] in ticked)
        ],
    )
