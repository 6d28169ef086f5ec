"""The course outline a learner sees: cached structure plus one statement of their own marks."""

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, case, func, select

from smresidency.catalog.cache import (
    CourseInfo,
    ModuleInfo,
    VersionInfo,
    cached_version,
    structure,
)
from smresidency.catalog.models import Module
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.prepared import Prepared, Rows


@dataclass
class ModuleState:
    """One module as this learner sees it right now."""

    module: ModuleInfo
    version: VersionInfo
    status: str  # locked | open | read | complete
    missing: list[str] = field(default_factory=list)

    @property
    def retired(self) -> bool:
        return self.module.retired

    @property
    def done_steps(self) -> int:
        return {"read": 1, "complete": self.total_steps}.get(self.status, 0)

    @property
    def total_steps(self) -> int:
        return 2 if self.version.has_quiz else 1


@dataclass
class Outline:
    """A course with every module's state and the learner's overall progress.

    `modules` are the live ones, which alone count; `retired` are modules taken out of the
    course that this learner completed before, kept for them to reread.
    """

    course: CourseInfo
    modules: list[ModuleState]
    retired: list[ModuleState] = field(default_factory=list)

    @property
    def percent(self) -> int:
        total = sum(s.total_steps for s in self.modules)
        done = sum(s.done_steps for s in self.modules)
        return round(100 * done / total) if total else 0

    @property
    def minutes_left(self) -> int:
        return sum(s.version.minutes for s in self.modules if s.status != "complete")

    @property
    def completed(self) -> int:
        return sum(1 for s in self.modules if s.status == "complete")

    @property
    def finished(self) -> bool:
        """Every live module is complete (a course with none is not 'finished')."""
        return bool(self.modules) and self.completed == len(self.modules)

    @property
    def started(self) -> bool:
        """The learner has read or completed at least one live module."""
        return any(s.status in ("read", "complete") for s in self.modules)

    @property
    def next_up(self) -> ModuleState | None:
        """Where to continue: a read module awaiting its quiz, else the first open one."""
        for wanted in ("read", "open"):
            for state in self.modules:
                if state.status == wanted:
                    return state
        return None

    def find(self, slug: str) -> tuple[ModuleState | None, ModuleState | None, ModuleState | None]:
        """The module with this slug and its neighbours in course order (a retired one has none)."""
        for i, state in enumerate(self.modules):
            if state.module.slug == slug:
                prev = self.modules[i - 1] if i > 0 else None
                nxt = self.modules[i + 1] if i + 1 < len(self.modules) else None
                return state, prev, nxt
        for state in self.retired:
            if state.module.slug == slug:
                return state, None, None
        return None, None, None


# whether each mark is set, as 0 or 1 under the marks' names: module_states reads only that,
# and turning SQLite's stored text into datetimes cost more than the rest of the statement
_PROGRESS = (
    select(
        ModuleProgress.module_id,
        case((ModuleProgress.read_at.is_(None), 0), else_=1).label("read_at"),
        case((ModuleProgress.completed_at.is_(None), 0), else_=1).label("completed_at"),
    )
    .join(Module, Module.id == ModuleProgress.module_id)
    .where(ModuleProgress.user_id == bindparam("user_id"))
    .where(Module.course_id == bindparam("course_id"))
    .order_by(ModuleProgress.module_id)  # the same marks give the same key (_OUTLINES)
)


_PREPARED: dict = {}  # statement -> Prepared; statements given here are built once


def _rows(statement, params: dict) -> Rows:
    """Every row (named tuples) of a statement of plain columns, run as a prepared statement
    on the session's connection: the same transaction, without SQLAlchemy's per-execution
    work; pending changes are flushed first, as the ORM's autoflush would."""
    prepared = _PREPARED.get(statement)
    if prepared is None:
        if len(_PREPARED) > 256:  # statements are meant to be built once; guard anyway
            _PREPARED.clear()
        prepared = _PREPARED[statement] = Prepared(statement)
    return prepared.rows(params)


def course_outline(course_slug: str, user_id: int) -> Outline | None:
    """The course's live modules with the learner's marks, and the retired ones they completed.

    The structure comes from the per-process cache (checked against the content version);
    the learner's own marks are one statement whatever the course size, and learners with
    the same marks share the states made for the first of them (_OUTLINES).
    """
    found = structure(course_slug)
    if found is None:
        return None
    rows = _rows(_PROGRESS, {"user_id": user_id, "course_id": found.course.id})
    key = (id(found), tuple(rows))
    if _STRUCTURES.get(id(found)) is found:
        known = _OUTLINES.get(key)
        if known is not None:
            return known
    else:
        _made_for(found)
    outline = _outline(found, {row.module_id: row for row in rows})
    if len(_OUTLINES) >= OUTLINES_KEPT:
        _OUTLINES.clear()
    _OUTLINES[key] = outline
    return outline


# Outlines made, per course structure and set of marks: learners at the same point of a
# course share one (a course of n modules in order has about 2n such points), so a page
# builds the states only the first time its marks are seen in this process. Outlines are
# not changed after they are made; a new content version brings a new structure, and the
# outlines of the course's older one are dropped with it (they hold its lessons' text).
OUTLINES_KEPT = 1024  # a few KB each: a bound on memory, not reached by a course in order
_OUTLINES: dict[tuple, Outline] = {}  # (id of the structure, marks) -> outline
_STRUCTURES: dict[int, object] = {}  # id -> structure: held, so no other one takes its id


def _made_for(found) -> None:
    """Outlines are now made for this structure: forget those of older ones of its course."""
    older = {key for key, held in _STRUCTURES.items() if held.course.slug == found.course.slug}
    if older:
        for key in [key for key in _OUTLINES if key[0] in older]:
            del _OUTLINES[key]
        for key in older:
            del _STRUCTURES[key]
    _STRUCTURES[id(found)] = found


def _outline(found, marks: dict) -> Outline:
    """The outline of one structure for one learner's marks (module id -> 0/1 flags)."""
    live, kept = [], []  # kept: retired modules this learner completed
    for m, v in found.modules:
        mark = marks.get(m.id)
        if not m.retired:
            live.append((m, v, mark))
        elif mark is not None and mark.completed_at:
            kept.append((m, v, mark))
    states = module_states(live + kept if kept else live)
    return Outline(found.course, states[: len(live)], states[len(live) :])


def module_states(
    live: list[tuple],
) -> list[ModuleState]:
    """Each module's status for one learner; the dashboard and reminders use it too."""
    titles = {m.slug: v.title for m, v, _ in live}
    complete = {m.slug for m, _, p in live if p and p.completed_at}
    states = []
    for m, v, mark in live:
        missing = (
            [titles[r] for r in v.requires if r in titles and r not in complete]
            if v.requires
            else []
        )
        if mark and mark.completed_at:
            status = "complete"
        elif missing:
            status = "locked"
        elif mark and mark.read_at:
            status = "read"
        else:
            status = "open"
        states.append(ModuleState(m, v, status, missing))
    return states


def lesson(version_id: int) -> VersionInfo:
    """The version the outline just found, lesson HTML included: from the cache, no statement."""
    found = cached_version(version_id)
    if found is None:  # not reached from a page that built its outline first
        raise LookupError(f"module version {version_id} is not a current, cached version")
    return found


def certificate_for(user_id: int, course_id: int):
    """The learner's certificate for this course, for the finished course page, or None."""
    from smresidency.certificates.models import Certificate

    return db.session.scalar(
        select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.course_id == course_id)
        .order_by(Certificate.edition.desc())  # the latest: a re-issue replaces the first
        .limit(1)
    )


@cache
def _active_enrolment():
    """Built on first use (the cohort models import late), then reused by every request."""
    from smresidency.cohorts.models import Cohort, Enrolment

    return (
        select(Enrolment.id, Enrolment.cohort_id, Cohort.timezone, Cohort.immersion_date)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id == bindparam("user_id"))
        .where(Enrolment.course_id == bindparam("course_id"))
        .where(Enrolment.status == "active")
    )


def active_enrolment(user_id: int, course_id: int):
    """The learner's active enrolment in the course with its cohort's zone and immersion date
    (a row: id, cohort_id, timezone, immersion_date), or None; one statement."""
    return _rows(_active_enrolment(), {"user_id": user_id, "course_id": course_id}).first()


def immersion_started(cohort) -> bool:
    """Whether the cohort's immersion day has begun in its own zone (ratings turn to 'after');
    `cohort` needs only its timezone and immersion_date."""
    from smresidency.cohorts.schedule import local_today

    return local_today(cohort) >= cohort.immersion_date


def after_module(course_slug: str, user_id: int, module_slug: str):
    """What follows a completed module: the next open module, and whether the course is done."""
    outline = course_outline(course_slug, user_id)
    if outline is None:
        return None, False
    _, _, nxt = outline.find(module_slug)
    if nxt is not None and nxt.status == "locked":
        nxt = outline.next_up
    return nxt, outline.finished


def learner_zone(user_id: int, course_id: int) -> str | None:
    """The time zone of the learner's active cohort in this course (None: the site's zone)."""
    from smresidency.cohorts.models import Cohort, Enrolment

    return db.session.scalar(
        select(Cohort.timezone)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(
            Enrolment.user_id == user_id,
            Enrolment.course_id == course_id,
            Enrolment.status == "active",
        )
    )


def completed_by_course(user_id: int) -> dict[int, int]:
    """Completed modules per course for the home page, in one aggregate query."""
    rows = db.session.execute(
        select(Module.course_id, func.count(ModuleProgress.id))
        .join(ModuleProgress, ModuleProgress.module_id == Module.id)
        .where(
            ModuleProgress.user_id == user_id,
            ModuleProgress.completed_at.is_not(None),
            Module.retired.is_(False),
        )
        .group_by(Module.course_id)
    ).all()
    return dict(rows)
