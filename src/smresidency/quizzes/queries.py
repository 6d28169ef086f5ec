"""Reads for quiz pages and item analysis, each in a fixed number of statements."""

from dataclasses import dataclass, field

from sqlalchemy import Integer, case, cast, func, select

from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.extensions import db
from smresidency.quizzes.models import QuizAttempt, QuizOverride, QuizResponse


def attempts_for(user_id: int, module_id: int) -> list[QuizAttempt]:
    """The learner's attempts at a module's quiz, newest first."""
    return db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
    ).all()


def overrides_for(user_id: int, module_id: int, attempts: list[QuizAttempt], quiz: dict) -> list:
    """Staff overrides for the learner's quiz; read only when one could matter (a limit or a
    cooldown and a submitted, unpassed attempt), so most pages spend no statement on them."""
    submitted = [a for a in attempts if a.submitted_at is not None]
    limited = quiz.get("attempts") or quiz.get("cooldown_seconds")
    if not limited or not submitted or any(a.passed for a in submitted):
        return []
    return db.session.scalars(
        select(QuizOverride)
        .where(QuizOverride.user_id == user_id, QuizOverride.module_id == module_id)
        .order_by(QuizOverride.created_at, QuizOverride.id)
    ).all()


@dataclass
class AttemptView:
    attempt: QuizAttempt
    version: ModuleVersion
    module: Module
    course: Course


def attempt_for(user_id: int, token: str) -> AttemptView | None:
    """An attempt with its version, module and course, only if it belongs to this learner."""
    row = db.session.execute(
        select(QuizAttempt, ModuleVersion, Module, Course)
        .join(ModuleVersion, ModuleVersion.id == QuizAttempt.version_id)
        .join(Module, Module.id == QuizAttempt.module_id)
        .join(Course, Course.id == Module.course_id)
        .where(QuizAttempt.token == token, QuizAttempt.user_id == user_id)
    ).first()
    return AttemptView(*row) if row else None


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
