"""Plan reads: the learner's own plan, a cohort's review queue and one plan under review.

Each page loads what it shows in a fixed number of statements; scoping is part of the query:
a learner reaches only their own enrolment, staff only plans in cohorts they may see.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from smresidency.auth.models import User
from smresidency.catalog.models import Course
from smresidency.cohorts.access import scoped_cohort, taught_cohorts, visible_cohorts
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.queries import active_enrolment
from smresidency.extensions import db
from smresidency.plans.models import PlanReview, PlanVersion, StrategyPlan

STATE_LABELS = {
    "none": "Not started",
    "draft": "Draft",
    "submitted": "Submitted for review",
    "returned": "Returned for revision",
    "accepted": "Accepted",
}
LOCKED_STATES = ("submitted", "accepted")


@dataclass
class ReviewView:
    """A review with the names a page shows beside the stored ids."""

    review: PlanReview
    reviewer_name: str
    version_number: int

    def rows(self, spec: dict) -> list[tuple[str, str]]:
        """(criterion title, level name) in the rubric's order; unknown ids are left out."""
        names = spec.get("levels", [])
        out = []
        for c in spec.get("criteria", []):
            index = self.review.levels.get(c["id"])
            if index is not None and 0 <= index < len(names):
                out.append((c["title"], names[index]))
        return out


@dataclass
class PlanPage:
    """One plan with everything around it: course, cohort, learner, versions and reviews."""

    course: Course
    cohort: Cohort
    enrolment: Enrolment
    learner: User
    plan: StrategyPlan | None
    versions: list[PlanVersion] = field(default_factory=list)
    reviews: list[ReviewView] = field(default_factory=list)

    @property
    def spec(self) -> dict:
        return self.course.plan or {}

    @property
    def state(self) -> str:
        return self.plan.state if self.plan else "none"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def locked(self) -> bool:
        """Submitted or accepted: the learner may not change the text."""
        return self.state in LOCKED_STATES

    @property
    def latest(self) -> PlanVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def latest_review(self) -> ReviewView | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def submitted_version(self) -> PlanVersion | None:
        """The newest version that was submitted, which faculty review by default."""
        done = [v for v in self.versions if v.submitted_at is not None]
        return done[-1] if done else None

    def version(self, number: int) -> PlanVersion | None:
        return next((v for v in self.versions if v.number == number), None)

    def reviews_of(self, version: PlanVersion | None) -> list[ReviewView]:
        return [r for r in self.reviews if version and r.review.version_id == version.id]


def _load_plan(page: PlanPage) -> PlanPage:
    """Fill in the plan, its versions (oldest first) and its reviews: three statements."""
    page.plan = db.session.scalar(
        select(StrategyPlan).where(StrategyPlan.enrolment_id == page.enrolment.id)
    )
    if page.plan is None:
        return page
    page.versions = list(
        db.session.scalars(
            select(PlanVersion)
            .where(PlanVersion.plan_id == page.plan.id)
            .order_by(PlanVersion.number)
        )
    )
    numbers = {v.id: v.number for v in page.versions}
    rows = db.session.execute(
        select(PlanReview, User.name)
        .outerjoin(User, User.id == PlanReview.reviewer_id)
        .where(PlanReview.plan_id == page.plan.id)
        .order_by(PlanReview.created_at, PlanReview.id)
    ).all()
    page.reviews = [
        ReviewView(review, name or "a former faculty member", numbers.get(review.version_id, 0))
        for review, name in rows
    ]
    return page


def course_by_slug(course_slug: str) -> Course | None:
    """The course, or None for an unknown slug."""
    return db.session.scalar(select(Course).where(Course.slug == course_slug))


def learner_plan(user: User, course: Course) -> PlanPage | None:
    """The user's own plan in this course, or None without an active enrolment."""
    enrolment = active_enrolment(user.id, course.id)
    if enrolment is None:
        return None
    return _load_plan(PlanPage(course, enrolment.cohort, enrolment, user, None))


def staff_plan(user: User, cohort_id: int, plan_id: int) -> PlanPage | None:
    """A plan in a cohort this user may see (faculty, coordinators, admins), or None."""
    cohort = scoped_cohort(visible_cohorts(user), cohort_id)
    if cohort is None:
        return None
    row = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .join(StrategyPlan, StrategyPlan.enrolment_id == Enrolment.id)
        .where(StrategyPlan.id == plan_id, Enrolment.cohort_id == cohort.id)
    ).first()
    if row is None:
        return None
    enrolment, learner = row
    return _load_plan(PlanPage(cohort.course, cohort, enrolment, learner, None))


def may_review(user: User, cohort_id: int) -> bool:
    """Faculty of the cohort (and admins) decide on plans; coordinators only look."""
    found = db.session.scalar(
        taught_cohorts(user).with_only_columns(Cohort.id).where(Cohort.id == cohort_id)
    )
    return found is not None


@dataclass
class QueueRow:
    """One active learner and where their plan stands."""

    user_id: int
    name: str
    email: str
    plan_id: int | None
    state: str
    versions: int
    submitted_at: datetime | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Queue:
    """A cohort's plans, awaiting review first."""

    cohort: Cohort
    rows: list[QueueRow]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)


QUEUE_ORDER = {"submitted": 0, "returned": 1, "draft": 2, "none": 3, "accepted": 4}


def review_queue(user: User, cohort_id: int) -> Queue | None:
    """Every active learner's plan state in a visible cohort: two statements at any size."""
    cohort = scoped_cohort(visible_cohorts(user), cohort_id)
    if cohort is None:
        return None
    version = aliased(PlanVersion)
    stats = (
        select(
            version.plan_id,
            func.count(version.id).label("versions"),
            func.max(version.submitted_at).label("submitted_at"),
        )
        .group_by(version.plan_id)
        .subquery()
    )
    state = func.coalesce(StrategyPlan.state, "none")
    rank = case(QUEUE_ORDER, value=state, else_=5)
    rows = db.session.execute(
        select(
            User.id,
            User.name,
            User.email,
            StrategyPlan.id,
            state,
            func.coalesce(stats.c.versions, 0),
            stats.c.submitted_at,
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(StrategyPlan, StrategyPlan.enrolment_id == Enrolment.id)
        .outerjoin(stats, stats.c.plan_id == StrategyPlan.id)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status == "active")
        .order_by(rank, stats.c.submitted_at, User.name, User.id)
    ).all()
    return Queue(cohort, [QueueRow(*r) for r in rows])
