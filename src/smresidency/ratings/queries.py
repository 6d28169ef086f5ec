"""Reads for the ratings pages, each in a fixed number of statements whatever the cohort size."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import func, select

from smresidency.catalog.models import Course
from smresidency.cohorts.dashboard import visible_cohort
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.queries import active_enrolment
from smresidency.extensions import db
from smresidency.ratings.models import SelfRating


def _valid(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


@dataclass
class Change:
    """One statement's ratings before and after, for the learner's own comparison."""

    competency: dict
    before: int | None
    after: int | None

    @property
    def delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class LearnerRatings:
    """The learner's course, their active enrolment (with cohort) if any, and their ratings."""

    course: Course
    enrolment: Enrolment | None
    rows: dict[str, SelfRating]

    @property
    def competencies(self) -> list[dict]:
        return list(self.course.competencies or [])

    def changes(self) -> list[Change]:
        """Before and after per statement, once both phases exist; otherwise empty."""
        if "pre" not in self.rows or "post" not in self.rows:
            return []
        pre, post = self.rows["pre"].ratings or {}, self.rows["post"].ratings or {}
        return [
            Change(
                c,
                pre.get(c["id"]) if _valid(pre.get(c["id"])) else None,
                post.get(c["id"]) if _valid(post.get(c["id"])) else None,
            )
            for c in self.competencies
        ]


def learner_ratings(user_id: int, course_slug: str) -> LearnerRatings | None:
    """The signed-in learner's own ratings page; None when the course does not exist.

    Three statements: the course, the learner's active enrolment with its cohort, the ratings.
    Only this user's enrolment is ever read, so nobody reaches another learner's ratings.
    """
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        return None
    enrolment = active_enrolment(user_id, course.id)
    rows = {}
    if enrolment is not None:
        rows = {
            r.phase: r
            for r in db.session.scalars(
                select(SelfRating).where(SelfRating.enrolment_id == enrolment.id)
            )
        }
    return LearnerRatings(course, enrolment, rows)


def mean(values: list[int]) -> Fraction | None:
    """The exact average (formatted later), or None for nobody."""
    return Fraction(sum(values), len(values)) if values else None


@dataclass
class Figures:
    """One competency across the cohort: every rating before, after, and paired changes."""

    number: int
    competency: dict
    pre: list[int] = field(default_factory=list)
    post: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)

    @property
    def mean_pre(self) -> Fraction | None:
        return mean(self.pre)

    @property
    def mean_post(self) -> Fraction | None:
        return mean(self.post)

    @property
    def mean_change(self) -> Fraction | None:
        return mean(self.changes)


def summarise(competencies: list[dict], rows: Iterable[tuple[int, str, dict]]) -> list[Figures]:
    """Per competency: averages before and after over everyone who gave that phase, and the
    average change over learners who rated that statement in both phases only."""
    by_phase: dict[str, dict[int, dict]] = {"pre": {}, "post": {}}
    for enrolment_id, phase, ratings in rows:
        if phase in by_phase:
            by_phase[phase][enrolment_id] = ratings or {}
    figures = []
    for number, c in enumerate(competencies, start=1):
        f = Figures(number, c)
        pre = {e: r.get(c["id"]) for e, r in by_phase["pre"].items() if _valid(r.get(c["id"]))}
        post = {e: r.get(c["id"]) for e, r in by_phase["post"].items() if _valid(r.get(c["id"]))}
        f.pre, f.post = list(pre.values()), list(post.values())
        f.changes = [post[e] - pre[e] for e in pre if e in post]
        figures.append(f)
    return figures


@dataclass
class Report:
    """The cohort's self-ratings, per competency, for faculty and coordinators."""

    cohort: Cohort
    learners: int
    rated_pre: int
    rated_post: int
    rated_both: int
    figures: list[Figures]

    @property
    def empty(self) -> bool:
        return not (self.rated_pre or self.rated_post)


def cohort_report(user, cohort_id: int) -> Report | None:
    """The report for a cohort this user may see, else None (404). Three statements: the
    cohort with its course, the active learners' count, and all their ratings rows."""
    cohort = visible_cohort(user, cohort_id)
    if cohort is None:
        return None
    active = (Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
    learners = db.session.scalar(select(func.count()).select_from(Enrolment).where(*active))
    rows = db.session.execute(
        select(SelfRating.enrolment_id, SelfRating.phase, SelfRating.ratings)
        .join(Enrolment, Enrolment.id == SelfRating.enrolment_id)
        .where(*active)
    ).all()
    phases = {"pre": set(), "post": set()}
    for enrolment_id, phase, _ in rows:
        phases.setdefault(phase, set()).add(enrolment_id)
    return Report(
        cohort=cohort,
        learners=learners or 0,
        rated_pre=len(phases["pre"]),
        rated_post=len(phases["post"]),
        rated_both=len(phases["pre"] & phases["post"]),
        figures=summarise(list(cohort.course.competencies or []), rows),
    )
