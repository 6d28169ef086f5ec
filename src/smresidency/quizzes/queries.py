"""Reads for quiz pages and item analysis, each in a fixed number of statements."""

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Integer, bindparam, case, cast, func, select

from smresidency.catalog.cache import CourseInfo, ModuleInfo, VersionInfo, structure
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.extensions import db
from smresidency.quizzes.models import QuizAttempt, QuizOverride, QuizResponse

_ATTEMPTS = (
    select(QuizAttempt)
    .where(QuizAttempt.user_id == bindparam("user_id"))
    .where(QuizAttempt.module_id == bindparam("module_id"))
    .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
)


def attempts_for(user_id: int, module_id: int) -> list[QuizAttempt]:
    """The learner's attempts at a module's quiz, newest first."""
    return db.session.scalars(_ATTEMPTS, {"user_id": user_id, "module_id": module_id}).all()


@cache
def _attempts_with_zone():
    """Built on first use (the cohort models import late): the columns the module page shows
    of each attempt plus the zone of the learner's active cohort in the course, one statement."""
    from smresidency.cohorts.models import Cohort, Enrolment

    zone = (
        select(Cohort.timezone)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(
            Enrolment.user_id == bindparam("user_id"),
            Enrolment.course_id == bindparam("course_id"),
            Enrolment.status == "active",
        )
        .limit(1)
        .scalar_subquery()
        .label("zone")
    )
    # plain columns: no ORM entities, and no drawn questions or answers (JSON parsed per row)
    return (
        select(
            QuizAttempt.token,
            QuizAttempt.submitted_at,
            QuizAttempt.score,
            QuizAttempt.passed,
            zone,
        )
        .where(QuizAttempt.user_id == bindparam("user_id"))
        .where(QuizAttempt.module_id == bindparam("module_id"))
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
    )


def attempts_and_zone(user_id: int, module_id: int, course_id: int) -> tuple[list, str | None]:
    """The module page's attempts (newest first; rows with token, submitted_at, score, passed)
    and the learner's cohort zone (None: no attempts, or no active cohort: the site's zone)
    in one statement."""
    from smresidency.learning.queries import _rows

    rows = _rows(
        _attempts_with_zone(), {"user_id": user_id, "module_id": module_id, "course_id": course_id}
    ).all()
    return rows, (rows[0].zone if rows else None)


_OVERRIDES = (
    select(QuizOverride.kind, QuizOverride.created_at)
    .where(QuizOverride.user_id == bindparam("user_id"))
    .where(QuizOverride.module_id == bindparam("module_id"))
    .order_by(QuizOverride.created_at, QuizOverride.id)
)


def overrides_for(user_id: int, module_id: int, attempts: list, quiz: dict) -> list:
    """Staff overrides for the learner's quiz (rows with kind and created_at); read only when
    one could matter (a limit or a cooldown and a submitted, unpassed attempt), so most pages
    spend no statement on them."""
    from smresidency.learning.queries import _rows

    submitted = [a for a in attempts if a.submitted_at is not None]
    limited = quiz.get("attempts") or quiz.get("cooldown_seconds")
    if not limited or not submitted or any(a.passed for a in submitted):
        return []
    return _rows(_OVERRIDES, {"user_id": user_id, "module_id": module_id}).all()


@dataclass
class AttemptView:
    attempt: QuizAttempt
    version: VersionInfo | ModuleVersion
    module: ModuleInfo | Module
    course: CourseInfo | Course


# built once per process: a submission runs these on every request
_ATTEMPT = (
    select(QuizAttempt, Module.slug, Course.slug)
    .join(Module, Module.id == QuizAttempt.module_id)
    .join(Course, Course.id == Module.course_id)
    .where(QuizAttempt.token == bindparam("token"), QuizAttempt.user_id == bindparam("user_id"))
)
_OLD_VERSION = (
    select(ModuleVersion, Module, Course)
    .join(Module, Module.id == ModuleVersion.module_id)
    .join(Course, Course.id == Module.course_id)
    .where(ModuleVersion.id == bindparam("version_id"))
)


def attempt_for(user_id: int, token: str) -> AttemptView | None:
    """An attempt with its version, module and course, only if it belongs to this learner.

    One statement: the version, module and course come from the per-process course cache
    when the attempt is on the current version (an attempt on an older one reads it).
    """
    row = db.session.execute(_ATTEMPT, {"token": token, "user_id": user_id}).first()
    if row is None:
        return None
    attempt, module_slug, course_slug = row
    found = structure(course_slug)
    pair = found.by_slug.get(module_slug) if found else None
    if pair is not None and pair[1].id == attempt.version_id:
        return AttemptView(attempt, pair[1], pair[0], found.course)
    version, module, course = db.session.execute(
        _OLD_VERSION, {"version_id": attempt.version_id}
    ).one()
    return AttemptView(attempt, version, module, course)


@dataclass
class QuestionStats:
    key: str
    stem: str
    kind: str
    attempts: int = 0
    facility: float | None = None
    discrimination: float | None = None
    choices: list[tuple[str, bool, int]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def item_analysis(version: ModuleVersion) -> tuple[int, list[QuestionStats]]:
    """Per question: how often answered, facility, discrimination, choice counts; three queries."""
    submitted = (
        select(QuizAttempt.id, QuizAttempt.score)
        .where(QuizAttempt.version_id == version.id, QuizAttempt.submitted_at.is_not(None))
        .subquery()
    )
    tiers = select(
        submitted.c.id, func.ntile(3).over(order_by=submitted.c.score).label("tier")
    ).subquery()
    per_question = (
        select(QuizResponse.attempt_id, QuizResponse.question_key, QuizResponse.correct)
        .distinct()
        .join(submitted, submitted.c.id == QuizResponse.attempt_id)
        .subquery()
    )
    correct = cast(per_question.c.correct, Integer)
    rows = db.session.execute(
        select(
            per_question.c.question_key,
            func.count(),
            func.avg(correct),
            func.avg(case((tiers.c.tier == 3, correct)))
            - func.avg(case((tiers.c.tier == 1, correct))),
        )
        .join(tiers, tiers.c.id == per_question.c.attempt_id)
        .group_by(per_question.c.question_key)
    ).all()
    counts = db.session.execute(
        select(QuizResponse.question_key, QuizResponse.choice_index, func.count())
        .join(submitted, submitted.c.id == QuizResponse.attempt_id)
        .where(QuizResponse.choice_index.is_not(None))
        .group_by(QuizResponse.question_key, QuizResponse.choice_index)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(submitted))
    return total, _assemble(version.quiz, rows, counts, total)


def _assemble(quiz: dict, rows, counts, total: int) -> list[QuestionStats]:
    chosen = {(k, i): n for k, i, n in counts}
    figures = {k: (n, fac, disc) for k, n, fac, disc in rows}
    out = []
    for q in quiz["questions"]:
        stats = QuestionStats(q["key"], q["stem"], q["kind"])
        n, fac, disc = figures.get(q["key"], (0, None, None))
        stats.attempts = n
        stats.facility = None if fac is None else float(fac)
        stats.discrimination = None if disc is None else float(disc)
        stats.choices = [
            (c["text"], c["correct"], chosen.get((q["key"], i), 0))
            for i, c in enumerate(q["choices"])
        ]
        stats.flags = _flags(stats, total)
        out.append(stats)
    return out


def _flags(stats: QuestionStats, total: int) -> list[str]:
    """Signs that a question may be broken, in words an instructor can act on."""
    flags = []
    if stats.attempts == 0:
        return flags
    if stats.facility is not None and stats.facility < 0.3:
        flags.append("Very few get this right: check the marked answer and the wording.")
    if stats.facility is not None and stats.facility > 0.95 and stats.attempts >= 10:
        flags.append("Almost everyone gets this right: it may not test much.")
    if stats.discrimination is not None and stats.discrimination < 0 and total >= 6:
        flags.append("Weaker attempts do better than stronger ones: the key may be wrong.")
    for text, correct, count in stats.choices:
        if correct and count == 0 and stats.attempts >= 5:
            flags.append(f"Nobody chose the correct answer “{text}”.")
    return flags
