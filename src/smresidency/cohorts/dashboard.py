"""The coordinator's dashboard and one learner's record in a cohort.

Each reads in a fixed number of statements whatever the cohort size. `build_row` is the one
computation of a learner's row: the learner page calls it directly, and `cohorts.grid` calls
it for the dashboard's rows that its cache does not already hold; the page and the CSV export
both take their rows from there.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from statistics import median
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager, lazyload, load_only

from smresidency.auth.models import User
from smresidency.catalog.models import Module, ModuleVersion
from smresidency.cohorts.access import visible_cohorts, with_course
from smresidency.cohorts.export import Column
from smresidency.cohorts.milestones import Milestones
from smresidency.cohorts.models import Cohort, Enrolment, Reminder
from smresidency.cohorts.schedule import (
    cohort_zone,
    expected_percent,
    is_behind_schedule,
    local_today,
)
from smresidency.db import as_utc
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.learning.queries import Outline
from smresidency.learning.queries import module_states as learner_states
from smresidency.quizzes.models import QuizAttempt

FILTERS = {
    "all": "All learners",
    "not-started": "Not started (nothing read)",
    "behind": "Behind schedule",
    "ready": "Ready for the certificate (modules and required checklist done)",
}
STATUS_LABELS = {"locked": "Locked", "open": "Not started", "read": "Read", "complete": "Complete"}
PAGE_SIZE = 50  # learners per page of the grid; the CSV export always has every row
GROUPS = {"modules": "Modules", "immersion": "Immersion, plan and certificate"}
IMMERSION_KEYS = ("immersion", "plan", "certificate")


def group_of(column: Column) -> str | None:
    """The collapsible group a grid column belongs to (None: always shown)."""
    if column.key.startswith("module-"):
        return "modules"
    return "immersion" if column.key in IMMERSION_KEYS else None


def percent_of(done: int, total: int) -> int:
    """A whole percentage, 0 when there is nothing to do."""
    return round(100 * done / total) if total else 0


@dataclass
class Cell:
    """One learner at one module: the learner's own status, their marks and quiz figures."""

    status: str  # locked | open | read | complete
    has_quiz: bool
    read_at: datetime | None = None
    completed_at: datetime | None = None
    best: float | None = None
    attempts: int = 0

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def text(self) -> str:
        """What the page shows and the CSV holds for this cell."""
        if not self.attempts:
            return self.label
        plural = "" if self.attempts == 1 else "s"
        return f"{self.label} · best {self.best:.0f}% · {self.attempts} attempt{plural}"


@dataclass
class Row:
    """One enrolled learner, with the figures the dashboard derives from their marks."""

    enrolment: Enrolment
    user: User
    cells: list[Cell]
    percent: int
    expected: float
    behind: bool
    minutes: int
    last_activity: datetime | None
    milestones: Milestones = field(default_factory=Milestones)

    @property
    def active(self) -> bool:
        return self.enrolment.status == "active"

    @property
    def started(self) -> bool:
        return any(c.read_at or c.completed_at for c in self.cells)

    @property
    def ready(self) -> bool:
        """Ready for the certificate: every module complete and every required item ticked."""
        modules_done = bool(self.cells) and all(c.status == "complete" for c in self.cells)
        return modules_done and self.milestones.immersion_complete

    def matches(self, name: str) -> bool:
        """Membership of one of FILTERS (only the asked-for test runs: 200 rows a load)."""
        if name == "not-started":
            return not self.started
        if name == "behind":
            return self.behind
        return self.ready if name == "ready" else True


@dataclass
class Dashboard:
    """A cohort, its grid and its summary figures over active learners."""

    cohort: Cohort
    modules: list[Module]
    columns: list[Column]
    rows: list[Row]  # everyone ever enrolled in the cohort, unfiltered
    view: Any  # views_dashboard.GridView: sort, direction, filter, withdrawn
    today: date
    signature: str = ""  # changes whenever any row's inputs change (cohorts.grid)

    @property
    def active(self) -> list[Row]:
        return [r for r in self.rows if r.active]

    @cached_property
    def shown(self) -> list[Row]:
        """The rows the view asks for, filtered and sorted; only when a page or CSV needs them."""
        return arrange(self.rows, self.columns, self.view)

    @property
    def pages(self) -> int:
        """How many pages of PAGE_SIZE learners the filtered grid has (at least one)."""
        return max(1, -(-len(self.shown) // PAGE_SIZE))

    @property
    def page(self) -> int:
        """The page asked for, kept within the pages there are."""
        return min(max(1, getattr(self.view, "page", 1)), self.pages)

    @property
    def page_rows(self) -> list[Row]:
        """The learners on this page of the grid."""
        start = (self.page - 1) * PAGE_SIZE
        return self.shown[start : start + PAGE_SIZE]

    @property
    def grid_columns(self) -> list[Column]:
        """The columns on the page: the CSV keeps every one, the page hides collapsed groups."""
        hidden = set(getattr(self.view, "hide", ()))
        return [c for c in self.columns if group_of(c) not in hidden]

    @property
    def completion_rate(self) -> int | None:
        active = self.active
        return percent_of(sum(r.ready for r in active), len(active)) if active else None

    @property
    def at_risk(self) -> int:
        return sum(r.behind for r in self.active)

    @property
    def median_minutes(self) -> int | None:
        return round(median(r.minutes for r in self.active)) if self.active else None


def learners_of(cohort_id: int, active_only: bool = False):
    """The cohort's learner ids as a subquery, so no statement grows with the cohort."""
    query = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort_id)
    return query.where(Enrolment.status == "active") if active_only else query


def live_modules(course_ids: list[int]) -> list[Module]:
    """Live modules of these courses with their current versions (lesson text left out)."""
    return db.session.scalars(
        select(Module)
        .join(Module.current)
        .options(
            contains_eager(Module.current)
            .defer(ModuleVersion.lesson_html)
            .defer(ModuleVersion.source)
        )
        .where(Module.course_id.in_(course_ids), Module.retired.is_(False))
        .order_by(Module.course_id, Module.position)
    ).all()


class _Viewer:
    """Stands in for the user while the scoping statement is built: the id is a parameter."""

    id = bindparam("viewer_id")

    def __init__(self, admin: bool):
        self.admin = admin

    def has_role(self, role: str) -> bool:
        return role == "admin" and self.admin


_VISIBLE: dict[bool, Any] = {}  # admin or not -> the statement, built once per process


def visible_cohort(user, cohort_id: int) -> Cohort | None:
    """The cohort with its course, if this user may see it; one statement, built once.

    The rule is cohorts.access's own (visible_cohorts), built for a stand-in viewer whose id
    is a bound parameter, so each request only binds the viewer and the cohort."""
    admin = user.has_role("admin")
    statement = _VISIBLE.get(admin)
    if statement is None:
        statement = _VISIBLE[admin] = with_course(visible_cohorts(_Viewer(admin))).where(
            Cohort.id == bindparam("cohort_id")
        )
    return db.session.scalar(statement, {"viewer_id": user.id, "cohort_id": cohort_id})


def _enrolments(cohort_id: int, user_id: int | None = None) -> list[Enrolment]:
    query = (
        select(Enrolment)
        .join(Enrolment.user)
        .options(
            contains_eager(Enrolment.user).options(
                load_only(User.name, User.email), lazyload(User.role_rows)
            )
        )
        .where(Enrolment.cohort_id == cohort_id)
    )
    if user_id is not None:
        query = query.where(Enrolment.user_id == user_id)
    return db.session.scalars(query).all()


def marks_of(users, module_ids: list[int]) -> dict[tuple[int, int], Any]:
    rows = db.session.execute(
        select(
            ModuleProgress.user_id,
            ModuleProgress.module_id,
            ModuleProgress.read_at,
            ModuleProgress.completed_at,
        ).where(ModuleProgress.user_id.in_(users), ModuleProgress.module_id.in_(module_ids))
    ).all()
    return {(r.user_id, r.module_id): r for r in rows}


def quiz_figures(users, module_ids: list[int]) -> dict[tuple[int, int], tuple]:
    """Best score, submitted attempts and the last submission per learner and module."""
    rows = db.session.execute(
        select(
            QuizAttempt.user_id,
            QuizAttempt.module_id,
            func.max(QuizAttempt.score),
            func.count(),
            func.max(QuizAttempt.submitted_at),
        )
        .where(
            QuizAttempt.user_id.in_(users),
            QuizAttempt.module_id.in_(module_ids),
            QuizAttempt.submitted_at.is_not(None),
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id)
    ).all()
    return {(u, m): (best, n, last) for u, m, best, n, last in rows}


def build_row(enrolment, modules, marks, quiz, cohort: Cohort, today: date) -> Row:
    """One learner's row: statuses and percent by the learner's own rules, then the figures."""
    uid = enrolment.user_id
    own = {m.id: marks[uid, m.id] for m in modules if (uid, m.id) in marks}
    outline = Outline(
        cohort.course, learner_states([(m, m.current, own.get(m.id)) for m in modules])
    )
    cells, moments = [], []
    for state in outline.modules:
        mark = own.get(state.module.id)
        read, done = (mark.read_at, mark.completed_at) if mark else (None, None)
        best, attempts, last = quiz.get((uid, state.module.id), (None, 0, None))
        cells.append(Cell(state.status, state.version.has_quiz, read, done, best, attempts))
        moments += [t for t in (read, done, last) if t]
    minutes = sum(s.version.minutes for s in outline.modules if s.status == "complete")
    zone, immersion = cohort_zone(cohort), cohort.immersion_date
    expected = expected_percent(
        as_utc(enrolment.enrolled_at).astimezone(zone).date(), immersion, today
    )
    percent = outline.percent
    behind = is_behind_schedule(percent, enrolment.enrolled_at, immersion, today, zone)
    return Row(enrolment, enrolment.user, cells, percent, expected, behind, minutes,
               max(moments, default=None))  # fmt: skip


def known_sort(cols: list[Column], view) -> None:
    """An unknown sort column falls back to the name (the page's links then say so too)."""
    if view.sort not in {c.key for c in cols if c.sortable}:
        view.sort = "name"


def arrange(rows: list[Row], cols: list[Column], view) -> list[Row]:
    shown = [r for r in rows if (view.withdrawn or r.active) and r.matches(view.filter)]
    sorts = {c.key: c for c in cols if c.sortable}
    known_sort(cols, view)
    shown.sort(key=lambda r: (r.user.name.casefold(), r.user.id))
    shown.sort(key=sorts[view.sort].sort_key, reverse=view.direction == "desc")
    return shown


@dataclass
class LearnerRecord:
    """Everything about one learner in one cohort, module by module."""

    cohort: Cohort
    row: Row
    modules: list[tuple[Module, Cell, list[QuizAttempt]]]
    reminders: list[Reminder]


def learner_record(user, cohort_id: int, user_id: int) -> LearnerRecord | None:
    """A learner of a cohort this user may see, or None (not visible, or not in this cohort)."""
    cohort = visible_cohort(user, cohort_id)
    enrolment = next(iter(_enrolments(cohort_id, user_id)), None) if cohort else None
    if enrolment is None:
        return None
    modules = live_modules([cohort.course_id])
    ids = [m.id for m in modules]
    by_module: dict[int, list[QuizAttempt]] = {}
    for attempt in db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.module_id.in_(ids))
        .order_by(QuizAttempt.started_at, QuizAttempt.id)
    ):
        by_module.setdefault(attempt.module_id, []).append(attempt)
    quiz = quiz_figures([user_id], ids)
    row = build_row(enrolment, modules, marks_of([user_id], ids), quiz, cohort, local_today(cohort))
    reminders = db.session.scalars(
        select(Reminder).where(Reminder.enrolment_id == enrolment.id).order_by(Reminder.sent_at)
    ).all()
    paired = [(m, c, by_module.get(m.id, [])) for m, c in zip(modules, row.cells, strict=True)]
    return LearnerRecord(cohort, row, paired, reminders)
