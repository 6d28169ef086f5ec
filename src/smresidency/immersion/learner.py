"""Reads for the immersion day: the learner's own checklist and a cohort's evidence queue.

Each page loads in a fixed number of statements, whatever the size of the cohort.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select

from smresidency.auth.models import User
from smresidency.catalog.models import Course
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.queries import active_enrolment
from smresidency.db import as_utc
from smresidency.extensions import db
from smresidency.immersion.evidence import takes_evidence
from smresidency.immersion.models import CheckOff, CheckOffEvent
from smresidency.immersion.services import items


@dataclass
class ItemState:
    """One checklist item as it stands for the learner."""

    item: dict
    row: CheckOff | None = None

    @property
    def done(self) -> bool:
        return bool(self.row and self.row.checked)

    @property
    def takes_evidence(self) -> bool:
        return takes_evidence(self.item)

    @property
    def evidence_state(self) -> str:
        return self.row.evidence_state if self.row else ""

    @property
    def evidence_url(self) -> str:
        return self.row.evidence_url if self.row else ""

    @property
    def note(self) -> str:
        return self.row.note if self.row else ""


@dataclass
class MyDay:
    """The learner's immersion page: their cohort (if any) and every item's state."""

    course: Course
    enrolment: Enrolment | None = None
    items: list[ItemState] = field(default_factory=list)

    @property
    def cohort(self) -> Cohort | None:
        return self.enrolment.cohort if self.enrolment else None

    @property
    def required_done(self) -> int:
        return sum(1 for s in self.items if s.item.get("required") and s.done)

    @property
    def required_total(self) -> int:
        return sum(1 for s in self.items if s.item.get("required"))

    def find(self, item_id: str) -> ItemState | None:
        return next((s for s in self.items if s.item["id"] == item_id), None)


def my_day(course_slug: str, user_id: int) -> MyDay | None:
    """The user's own immersion checklist for a course; None when the course does not exist.

    Three statements: the course, the active enrolment with its cohort, its check-offs.
    """
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        return None
    enrolment = active_enrolment(user_id, course.id)
    if enrolment is None:
        return MyDay(course=course)
    rows = {
        r.item_id: r
        for r in db.session.scalars(select(CheckOff).where(CheckOff.enrolment_id == enrolment.id))
    }
    states = [ItemState(item=i, row=rows.get(i["id"])) for i in items(course)]
    return MyDay(course=course, enrolment=enrolment, items=states)


@dataclass
class Evidence:
    """One learner's link for one item, as faculty review it."""

    row: CheckOff
    learner: str
    item_title: str
    submitted_at: datetime | None

    @property
    def waiting(self) -> bool:
        return self.row.evidence_state == "submitted"


STATUSES = {"submitted": "Waiting for review", "returned": "Asked again", "confirmed": "Confirmed"}


@dataclass
class Queue:
    """A cohort's evidence after the filters; `learners` and `items` are the filters' choices."""

    cohort: Cohort
    course: Course
    waiting: list[Evidence]
    reviewed: list[Evidence]
    learners: list[tuple[int, str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0

    def narrowed(self, learner: int | None, item: str, status: str) -> "Queue":
        """The same queue with only the entries matching every filter that is set."""

        def keep(e: Evidence) -> bool:
            return (
                (learner is None or e.row.enrolment_id == learner)
                and (not item or e.row.item_id == item)
                and (not status or e.row.evidence_state == status)
            )

        return Queue(
            self.cohort,
            self.course,
            [e for e in self.waiting if keep(e)],
            [e for e in self.reviewed if keep(e)],
            self.learners,
            self.items,
            self.total,
        )


def _last_submitted():
    return (
        select(
            CheckOffEvent.enrolment_id,
            CheckOffEvent.item_id,
            func.max(CheckOffEvent.at).label("submitted_at"),
        )
        .where(CheckOffEvent.action == "evidence-submitted")
        .group_by(CheckOffEvent.enrolment_id, CheckOffEvent.item_id)
        .subquery()
    )


def _evidence_rows(cohort_id: int, check_off_id: int | None = None):
    submitted = _last_submitted()
    stmt = (
        select(CheckOff, User.name, submitted.c.submitted_at)
        .join(Enrolment, Enrolment.id == CheckOff.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(
            submitted,
            and_(
                submitted.c.enrolment_id == CheckOff.enrolment_id,
                submitted.c.item_id == CheckOff.item_id,
            ),
        )
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status == "active",
            CheckOff.evidence_state != "",
            CheckOff.evidence_url != "",
        )
    )
    if check_off_id is not None:
        stmt = stmt.where(CheckOff.id == check_off_id)
    order = case(
        (CheckOff.evidence_state == "submitted", 0),
        (CheckOff.evidence_state == "returned", 1),
        else_=2,
    )
    return db.session.execute(
        stmt.order_by(order, submitted.c.submitted_at, User.name, CheckOff.id)
    )


def evidence_queue(cohort: Cohort) -> Queue:
    """A cohort's evidence: waiting for review first (oldest first), then the reviewed.

    Two statements after the cohort: the course (for item titles) and the evidence itself.
    """
    course = db.session.get(Course, cohort.course_id)
    titles = {i["id"]: i["title"] for i in items(course)}
    waiting, reviewed, learners = [], [], {}
    for row, name, submitted_at in _evidence_rows(cohort.id):
        entry = Evidence(row, name, titles.get(row.item_id, row.item_id), as_utc(submitted_at))
        (waiting if entry.waiting else reviewed).append(entry)
        learners[row.enrolment_id] = name
    shown = {e.row.item_id for e in (*waiting, *reviewed)}
    return Queue(
        cohort=cohort,
        course=course,
        waiting=waiting,
        reviewed=reviewed,
        learners=sorted(learners.items(), key=lambda pair: (pair[1].casefold(), pair[0])),
        items=[(i["id"], i["title"]) for i in items(course) if i["id"] in shown],
        total=len(waiting) + len(reviewed),
    )


def evidence_for_confirming(cohort_id: int, ids: list[int]) -> list[CheckOff]:
    """The check-offs of these ids with evidence in this cohort, their learners locked."""
    stmt = (
        select(CheckOff)
        .join(Enrolment, Enrolment.id == CheckOff.enrolment_id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status == "active",
            CheckOff.id.in_(ids),
            CheckOff.evidence_state != "",
            CheckOff.evidence_url != "",
        )
        .order_by(CheckOff.enrolment_id, CheckOff.id)
    )
    # enrolments first, in id order, as every tick locks them: batches and ticks queue up
    return list(db.session.scalars(stmt.with_for_update(of=Enrolment)))


def evidence_in_cohort(cohort_id: int, check_off_id: int) -> CheckOff | None:
    """A check-off with evidence of an active learner of this cohort, or None (the view 404s)."""
    found = _evidence_rows(cohort_id, check_off_id).first()
    return found[0] if found else None
