"""The programme overview for admins: every cohort with its figures, a page at a time."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import contains_eager

from smresidency.catalog.models import Module
from smresidency.cohorts.dashboard import live_modules, percent_of
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import cohort_zone, is_behind_schedule, local_today
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress


@dataclass
class ProgrammeRow:
    """One cohort in the programme overview."""

    cohort: Cohort
    active: int = 0
    complete: int = 0
    at_risk: int = 0

    @property
    def completion_rate(self) -> int | None:
        return percent_of(self.complete, self.active) if self.active else None


@dataclass
class ProgrammePage:
    """One page of the programme overview."""

    rows: list[ProgrammeRow]
    page: int
    pages: int
    total: int
    per_page: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1


def programme(page: int, per_page: int = 20) -> ProgrammePage | None:
    """One page of every cohort with its figures, in four statements; None past the last page.

    Percent here counts read and passed marks in SQL; it can differ from the dashboard's only
    for a module read before its prerequisites changed (the learner's page counts that as 0).
    """
    total = db.session.scalar(select(func.count()).select_from(Cohort))
    pages = max(1, ceil(total / per_page))
    if not 1 <= page <= pages:
        return None
    cohorts = db.session.scalars(
        select(Cohort)
        .join(Cohort.course)
        .options(contains_eager(Cohort.course))
        .order_by(Cohort.immersion_date.desc(), Cohort.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    modules = live_modules(sorted({c.course_id for c in cohorts}))
    quizzes = [m.id for m in modules if m.current.has_quiz]
    steps = case(
        (ModuleProgress.completed_at.is_not(None), case((Module.id.in_(quizzes), 2), else_=1)),
        (ModuleProgress.read_at.is_not(None), 1),
        else_=0,
    )
    learners = db.session.execute(
        select(
            Enrolment.cohort_id,
            Enrolment.enrolled_at,
            func.count(ModuleProgress.completed_at),
            func.coalesce(func.sum(steps), 0),
        )
        .outerjoin(
            Module,
            and_(Module.course_id == Enrolment.course_id, Module.id.in_([m.id for m in modules])),
        )
        .outerjoin(
            ModuleProgress,
            and_(
                ModuleProgress.module_id == Module.id, ModuleProgress.user_id == Enrolment.user_id
            ),
        )
        .where(Enrolment.cohort_id.in_([c.id for c in cohorts]), Enrolment.status == "active")
        .group_by(Enrolment.id, Enrolment.cohort_id, Enrolment.enrolled_at)
    ).all()
    rows = {c.id: ProgrammeRow(c) for c in cohorts}
    for cohort_id, enrolled_at, completed, done in learners:
        row, course = rows[cohort_id], rows[cohort_id].cohort.course_id
        live = [m for m in modules if m.course_id == course]
        percent = percent_of(done, sum(2 if m.id in quizzes else 1 for m in live))
        row.active += 1
        row.complete += bool(live) and completed == len(live)
        row.at_risk += is_behind_schedule(
            percent, enrolled_at, row.cohort.immersion_date, local_today(row.cohort),
            cohort_zone(row.cohort),
        )  # fmt: skip
    return ProgrammePage(list(rows.values()), page, pages, total, per_page)
