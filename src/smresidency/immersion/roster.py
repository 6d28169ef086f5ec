"""The immersion-day roster: learners by checklist items, and one learner's history.

Each read runs a fixed number of statements whatever the cohort size. Scoping is in the
queries: faculty of the cohort (and admins) may tick, its coordinators only look.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, contains_eager, lazyload, load_only

from smresidency.auth.models import User
from smresidency.cohorts.access import scoped_cohort, taught_cohorts, visible_cohorts, with_course
from smresidency.cohorts.models import Cohort, CohortStaff, Enrolment
from smresidency.cohorts.schedule import cohort_zone, local_today
from smresidency.db import as_utc
from smresidency.extensions import db
from smresidency.immersion.agenda import Section, sections
from smresidency.immersion.models import CheckOff, CheckOffEvent
from smresidency.immersion.services import ImmersionError, is_derived, item, items

EVIDENCE_LABELS = {
    "": "No link yet",
    "submitted": "Link submitted, awaiting review",
    "confirmed": "Confirmed",
    "returned": "Returned for changes",
}
ACTION_LABELS = {"tick": "Ticked", "untick": "Unticked", "checkin": "Checked in (QR code)"}
PLAN_LABELS = {
    "": "No plan yet",
    "draft": "Plan in draft",
    "submitted": "Plan awaiting review",
    "returned": "Plan returned for changes",
    "accepted": "Plan accepted",
}


def when(moment: datetime | None, cohort: Cohort, today: date | None = None) -> str:
    """A time as people at the immersion day read it: "09:05", or "3 Mar 09:05" if not today."""
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(cohort_zone(cohort))
    today = today or local_today(cohort)
    if local.date() == today:
        return local.strftime("%H:%M")
    return f"{local.day} {local.strftime('%b %Y %H:%M')}"


@dataclass
class Cell:
    """One learner at one checklist item: ticked or not, by whom and when, and any evidence."""

    item: dict
    checked: bool = False
    by: str | None = None
    at: datetime | None = None
    evidence_url: str = ""
    evidence_state: str = ""
    reason: str = ""
    fact: str = ""  # derived items: what the plan review or the rating says, in words

    @property
    def derived(self) -> bool:
        """Ticked by the system from the plan review or the learner's rating: never a toggle."""
        return is_derived(self.item)

    @property
    def by_hand_form(self) -> bool:
        """Attendance is ticked by hand on a page of its own, which asks for a reason."""
        return self.item["kind"] == "attendance" and not self.checked

    @property
    def shows_evidence(self) -> bool:
        """Hands-on items the learner completes carry a submitted link."""
        return self.item["completed_by"] == "learner" and self.item["kind"] == "hands-on"

    @property
    def evidence_label(self) -> str:
        return EVIDENCE_LABELS.get(self.evidence_state, self.evidence_state)

    @property
    def evidence_link(self) -> str | None:
        """The submitted URL, only when it is a web address safe to link to."""
        url = self.evidence_url.strip()
        return url if url.lower().startswith(("https://", "http://")) else None


@dataclass
class Row:
    """One active learner and a cell per checklist item, in the checklist's order."""

    enrolment: Enrolment
    user: User
    cells: list[Cell]
    plan_id: int | None = None
    plan_state: str = ""

    @property
    def done(self) -> int:
        return sum(c.checked for c in self.cells)

    @property
    def plan_label(self) -> str:
        return PLAN_LABELS.get(self.plan_state, self.plan_state)

    @property
    def links_waiting(self) -> int:
        """Submitted links not yet reviewed: what the evidence queue shows for this learner."""
        return sum(c.evidence_state == "submitted" for c in self.cells)

    def section_cells(self, section: Section) -> list[Cell]:
        return [self.cells[i] for i in section.indexes]


@dataclass
class Roster:
    """A cohort's checklist grid; `may_tick` is False for coordinators, who only look."""

    cohort: Cohort
    items: list[dict]
    rows: list[Row]
    may_tick: bool
    today: date
    sections: list[Section]
    session: int | None = None  # 1-based: only this agenda session's items are shown

    def when(self, moment: datetime | None) -> str:
        return when(moment, self.cohort, self.today)

    def show_session(self, raw: str | None) -> None:
        """Narrow the rows to one session ("3"); anything else shows the whole day."""
        raw = (raw or "").strip()
        if raw.isdigit() and len(raw) < 4 and 1 <= int(raw) <= len(self.sections):
            self.session = int(raw)

    @property
    def shown_sections(self) -> list[Section]:
        return [self.sections[self.session - 1]] if self.session else self.sections


def _may_tick(user, teaches: bool) -> bool:
    if user.has_role("admin"):
        return True
    return bool(teaches) and user.has_role("instructor")


def _cohort(user, cohort_id: int) -> tuple[Cohort, bool] | None:
    """A cohort this user may see, with its course, and whether they may tick; one statement."""
    teaches = exists().where(
        CohortStaff.cohort_id == Cohort.id,
        CohortStaff.user_id == user.id,
        CohortStaff.role == "faculty",
    )
    found = db.session.execute(
        with_course(visible_cohorts(user))
        .add_columns(teaches.label("teaches"))
        .where(Cohort.id == cohort_id)
    ).first()
    if found is None:
        return None
    return found[0], _may_tick(user, found[1])


def _with_user(query):
    return query.join(Enrolment.user).options(
        contains_eager(Enrolment.user).options(load_only(User.name), lazyload(User.role_rows))
    )


@dataclass
class Facts:
    """What the derived items follow for one enrolment: its plan and its "after" rating."""

    plan_id: int | None
    plan_state: str
    rated_after: bool

    def of(self, entry: dict) -> tuple[bool, str]:
        """A derived item's state from the facts, and the words for it."""
        if entry["kind"] == "plan":
            return self.plan_state == "accepted", PLAN_LABELS.get(self.plan_state, self.plan_state)
        return self.rated_after, "Rated" if self.rated_after else "Not rated yet"


def _active_enrolments(cohort_id: int) -> list[tuple[Enrolment, Facts]]:
    """Active learners by name, each with their plan and whether they rated themselves after."""
    from smresidency.plans.models import StrategyPlan
    from smresidency.ratings.models import SelfRating

    rated = exists().where(SelfRating.enrolment_id == Enrolment.id, SelfRating.phase == "post")
    rows = db.session.execute(
        _with_user(select(Enrolment))
        .outerjoin(StrategyPlan, StrategyPlan.enrolment_id == Enrolment.id)
        .add_columns(StrategyPlan.id, StrategyPlan.state, rated.label("rated"))
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
        .order_by(User.name, User.id)
    ).all()
    return [(e, Facts(plan_id, state or "", bool(r))) for e, plan_id, state, r in rows]


def _states(cohort_id: int) -> dict[tuple[int, str], Cell]:
    """Every check-off of the cohort's active learners, with the name of who last changed it."""
    by = aliased(User)
    active = select(Enrolment.id).where(
        Enrolment.cohort_id == cohort_id, Enrolment.status == "active"
    )
    rows = db.session.execute(
        select(CheckOff, by.name)
        .outerjoin(by, by.id == CheckOff.updated_by_id)
        .where(CheckOff.enrolment_id.in_(active))
    ).all()
    return {(c.enrolment_id, c.item_id): (c, name) for c, name in rows}


def _cell(entry: dict, state, facts: Facts) -> Cell:
    cell = Cell(entry)
    if state is not None:
        row, name = state
        cell = Cell(
            entry,
            checked=row.checked,
            by=name if row.updated_by_id else None,
            at=row.updated_at if row.updated_by_id else None,
            evidence_url=row.evidence_url,
            evidence_state=row.evidence_state,
            reason=row.reason if row.checked else "",
        )
    if cell.derived:  # the fact decides, whatever a flag ticked by hand in the past says
        done, cell.fact = facts.of(entry)
        if not (done and cell.checked):
            cell.by = cell.at = None
        cell.checked = done
    return cell


def cohort_roster(user, cohort_id: int) -> Roster | None:
    """The roster of a cohort this user may see, or None; three statements."""
    found = _cohort(user, cohort_id)
    if found is None:
        return None
    cohort, may_tick = found
    checklist = items(cohort.course)
    states = _states(cohort_id)
    rows = [
        Row(
            e,
            e.user,
            [_cell(i, states.get((e.id, i["id"])), f) for i in checklist],
            f.plan_id,
            f.plan_state,
        )
        for e, f in _active_enrolments(cohort_id)
    ]
    grouped = sections(cohort.course.immersion, checklist)
    return Roster(cohort, checklist, rows, may_tick, local_today(cohort), grouped)


@dataclass
class Target:
    """What a tick request names, once it is known to be this faculty member's to change."""

    cohort: Cohort
    enrolment: Enrolment
    item: dict


def tick_target(
    user, cohort_id: int, enrolment_id: int, item_id: str, lock: bool = True
) -> Target | None:
    """The cohort (taught by this user), the active enrolment in it (locked) and the item."""
    cohort = scoped_cohort(taught_cohorts(user), cohort_id)
    if cohort is None:
        return None
    try:
        entry = item(cohort.course, item_id)
    except ImmersionError:
        return None
    # Locked before any check-off is written: every writer then takes the enrolment first
    # and the check-off after, so two ticks for one learner queue instead of deadlocking.
    query = _with_user(select(Enrolment)).where(
        Enrolment.id == enrolment_id,
        Enrolment.cohort_id == cohort_id,
        Enrolment.status == "active",
    )
    enrolment = db.session.scalar(query.with_for_update(of=Enrolment) if lock else query)
    return None if enrolment is None else Target(cohort, enrolment, entry)


def name_of(user_id: int | None) -> str | None:
    """Who changed a check-off, for the answer to a tick."""
    if user_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == user_id))


@dataclass
class Event:
    """One line of a learner's checklist history."""

    item_title: str
    action: str
    by: str | None
    at: datetime
    detail: str


@dataclass
class History:
    """Every change to one learner's checklist, oldest first."""

    cohort: Cohort
    enrolment: Enrolment
    user: User
    events: list[Event]
    may_tick: bool
    today: date

    def when(self, moment: datetime | None) -> str:
        return when(moment, self.cohort, self.today)


def learner_history(user, cohort_id: int, enrolment_id: int) -> History | None:
    """The history of one learner of a cohort this user may see, or None; three statements."""
    found = _cohort(user, cohort_id)
    if found is None:
        return None
    cohort, may_tick = found
    enrolment = db.session.scalar(
        _with_user(select(Enrolment)).where(
            Enrolment.id == enrolment_id, Enrolment.cohort_id == cohort_id
        )
    )
    if enrolment is None:
        return None
    titles = {i["id"]: i["title"] for i in items(cohort.course)}
    by = aliased(User)
    rows = db.session.execute(
        select(CheckOffEvent, by.name)
        .outerjoin(by, by.id == CheckOffEvent.by_id)
        .where(CheckOffEvent.enrolment_id == enrolment_id)
        .order_by(CheckOffEvent.at, CheckOffEvent.id)
    ).all()
    events = [
        Event(
            titles.get(e.item_id, e.item_id),
            ACTION_LABELS.get(e.action, e.action.replace("-", " ").capitalize()),
            name,
            e.at,
            e.detail,
        )
        for e, name in rows
    ]
    return History(cohort, enrolment, enrolment.user, events, may_tick, local_today(cohort))
