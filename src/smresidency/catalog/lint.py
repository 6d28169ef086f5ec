"""Warnings about course quality that never block a publish: cued answers, time, age, reading.

`flask content lint` prints them; the studio preview shows them beside the problems. Each is
a Problem whose message starts with "warning:", so it reads as `file:line: warning: …`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from smresidency.catalog.estimate import drawn, estimate
from smresidency.catalog.problems import Problem

CUE_LIMIT = 0.35  # most a course may have the correct option as the longest
SPREAD_LIMIT = 3.0  # longest option over shortest, within one question
CATCH_ALL = re.compile(r"\b(all|none|both|neither) of the (above|options|answers)\b", re.I)
NEGATIVE = re.compile(r"\b(not|never|except|least)\b", re.I)
EMPHASISED_NEGATIVE = re.compile(
    r"\*\*(not|never|except|least)\*\*|\*(not|never|except|least)\*|\b(NOT|NEVER|EXCEPT|LEAST)\b"
)
CHECKED = re.compile(r"facts last checked:\s*(\d{4})-(\d{2})", re.I)
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)]*)\)")
GOOD_TARGET = re.compile(r"^(https://[^\s/]+\.[^\s]+|mailto:[^\s@]+@[^\s@]+|#[\w-]+|/[^\s]*)$")


@dataclass(frozen=True)
class LintSettings:
    """Thresholds a deployment may change (CONTENT_LINT_MAX_GRADE, CONTENT_LINT_MAX_AGE_MONTHS)."""

    max_grade: float = 13.0
    max_age_months: int = 12
    today: date | None = None


def _warn(path, line: int, message: str) -> Problem:
    return Problem(str(path), max(line, 1), f"warning: {message}")


def _single(questions) -> list:
    return [q for q in questions if q.kind == "single" and len(q.choices) > 1]


def _longest_is_correct(question) -> bool:
    lengths = [len(c.text) for c in question.choices]
    correct = [len(c.text) for c in question.choices if c.correct]
    return bool(correct) and correct[0] == max(lengths) and lengths.count(max(lengths)) == 1


def _cueing(path, questions, scope: str) -> list[Problem]:
    single = _single(questions)
    cued = [q for q in single if _longest_is_correct(q)]
    if single and len(cued) / len(single) > CUE_LIMIT:
        share = round(100 * len(cued) / len(single))
        first = cued[0].line if scope == "module" else 1
        return [
            _warn(
                path,
                first,
                f"{scope}: the correct option is the longest in {len(cued)} of {len(single)} "
                f"single-answer questions ({share}%, limit {round(100 * CUE_LIMIT)}%)",
            )
        ]
    return []


def _question_warnings(path, question) -> Iterable[Problem]:
    texts = [c.text for c in question.choices]
    spread = (
        len(texts) > 1
        and min(map(len, texts))
        and question.kind in ("single", "multiple")
        and max(map(len, texts)) / min(map(len, texts)) > SPREAD_LIMIT
    )
    if spread:
        yield _warn(
            path,
            question.line,
            f"option lengths vary a lot (the longest is over {SPREAD_LIMIT:g} times the "
            "shortest): length gives the answer away",
        )
    for choice in question.choices:
        if CATCH_ALL.search(choice.text):
            yield _warn(path, choice.line or question.line, f"avoid “{choice.text}”")
    if NEGATIVE.search(question.stem) and not EMPHASISED_NEGATIVE.search(question.stem):
        yield _warn(
            path,
            question.line,
            "a negatively worded stem needs the negative emphasised (e.g. **not**)",
        )
    has_feedback = question.feedback or any(c.feedback for c in question.choices)
    if not has_feedback:
        yield _warn(path, question.line, "no feedback: say why an answer is right or wrong")


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _lesson_warnings(module, settings: LintSettings) -> Iterable[Problem]:
    path, first = module.path, module.lesson_line
    found = estimate(module.lesson, drawn(module.quiz))
    if found.differs_from(module.minutes):
        yield _warn(
            path,
            2,
            f"`minutes: {module.minutes}` differs by more than 20% from the estimate "
            f"({found.explain()})",
        )
    checked = CHECKED.search(module.lesson)
    today = settings.today or date.today()
    if checked is None:
        yield _warn(path, first, "no “Facts last checked: YYYY-MM” line")
    else:
        when = date(int(checked.group(1)), min(max(int(checked.group(2)), 1), 12), 1)
        line = first + module.lesson[: checked.start()].count("\n")
        if _months_between(when, today) > settings.max_age_months:
            yield _warn(
                path,
                line,
                f"facts last checked {checked.group(1)}-{checked.group(2)}, more than "
                f"{settings.max_age_months} months ago",
            )
    grade = reading_grade(module.lesson)
    if grade is not None and grade > settings.max_grade:
        yield _warn(
            path,
            first,
            f"reading level is grade {grade:.1f} (Flesch-Kincaid), above {settings.max_grade:g}: "
            "shorter sentences and plainer words",
        )
    for offset, line in enumerate(module.lesson.split("\n")):
        for text, target in LINK.findall(line):
            if not GOOD_TARGET.match(target.strip()) and not target.startswith("images/"):
                yield _warn(
                    path, first + offset, f"link “{text}” has a malformed target `{target}`"
                )


def reading_grade(lesson: str) -> float | None:
    """Flesch-Kincaid grade of the prose (headings, tables and code left out)."""
    import textstat

    prose = [
        line
        for line in lesson.split("\n")
        if line.strip() and not line.lstrip().startswith(("#", "|", "```", "~~~", "!["))
    ]
    text = "\n".join(prose)
    return float(textstat.flesch_kincaid_grade(text)) if len(text.split()) >= 100 else None


def lint_module(module, settings: LintSettings | None = None) -> list[Problem]:
    """Every warning about one module: its quiz questions and its lesson."""
    settings = settings or LintSettings()
    out = list(_lesson_warnings(module, settings))
    if module.quiz:
        questions = module.quiz.questions
        out += _cueing(module.path, questions, "module")
        for question in questions:
            out.extend(_question_warnings(module.path, question))
    return sorted(out)


def lint_course(course, settings: LintSettings | None = None) -> list[Problem]:
    """Warnings for every module, plus those only a whole course shows (cueing, duplicates)."""
    out: list[Problem] = []
    seen: dict[str, tuple] = {}
    every = []
    for module in course.modules:
        out += lint_module(module, settings)
        for question in module.quiz.questions if module.quiz else []:
            every.append(question)
            stem = " ".join(question.stem.casefold().split())
            if stem in seen:
                other_path, other_line = seen[stem]
                out.append(
                    _warn(
                        module.path,
                        question.line,
                        f"the same question is asked at {other_path}:{other_line}",
                    )
                )
            else:
                seen[stem] = (module.path, question.line)
    out += _cueing(course.path / "course.md", every, "course")
    return out
