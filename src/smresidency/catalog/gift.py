"""Moodle GIFT question files converted to our `## Quiz` grammar.

Pure Python with no Flask import; `flask content import-gift` wraps it. What is converted,
what is reported by line and never written, and why, is in docs/authoring.md section 12:
multiple choice, weighted multiple answers (all-or-nothing here), true/false with Moodle's
feedback order, short answers, general feedback and missing-word questions convert;
matching, numerical, essay and description questions are reported. Every converted question
is checked on its own with `parse_quiz`, so nothing invalid is ever written.
"""

import bisect
import re
from dataclasses import dataclass, field

from smresidency.catalog.gift_text import (
    _flat,
    _note_dropped,
    _pad,
    _restore,
    _safe_detail,
    _split_format,
    _text_lines,
    protect_escapes,
)
from smresidency.catalog.problems import Problem, Reporter
from smresidency.catalog.quiz import MULTIPLE_MARKERS, Choice, Question, parse_quiz

MULTIPLE_MARKER = "(choose all that apply)"
BLANK = "_____"


WEIGHT = re.compile(r"^\s*%\s*(-?\d+(?:\.\d+)?)\s*%")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class GiftImport:
    """The converted questions, their Markdown, and what could not be converted."""

    questions: list[Question] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # questions not imported
    notes: list[Problem] = field(default_factory=list)  # imported, but something was dropped
    markdown: str = ""
    # (1-based line in `markdown` where a question starts, its line in the GIFT file)
    origins: list[tuple[int, int]] = field(default_factory=list)

    def gift_line_for(self, markdown_line: int) -> int | None:
        """The GIFT line of the question that a line of `markdown` belongs to."""
        found = None
        for start, gift_line in self.origins:
            if start <= markdown_line:
                found = gift_line
        return found


class _Skip(Exception):
    """This question cannot be imported; the message says why."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def convert_gift(text: str, path: str = "<gift>") -> GiftImport:
    """Convert a GIFT file's text; problems and notes carry `path` and GIFT line numbers."""
    result = GiftImport()
    note = Reporter(path, result.notes)
    skip = Reporter(path, result.skipped)
    seen: dict[str, int] = {}
    text = protect_escapes(text)
    for block in _blocks(text):
        try:
            converted = _convert_block(block, note, path)
        except _Skip as err:
            skip(err.line, err.message)
            continue
        if converted is None:
            continue
        question, title = converted
        if not _unique_stem(question, title, seen, note):
            skip(question.line, f"duplicate question text (same as line {seen[_fold(question)]})")
            continue
        seen[_fold(question)] = question.line
        result.questions.append(question)
    lines: list[str] = []
    for question in result.questions:
        if lines:
            lines.append("")
        result.origins.append((len(lines) + 1, question.line))
        lines.extend(question_markdown(question))
    result.markdown = "\n".join(lines) + "\n" if lines else ""
    return result


def question_markdown(q: Question) -> list[str]:
    """One question in our grammar (without a trailing blank line)."""
    out = [f"### {q.stem}"]
    if q.detail:
        out.extend(q.detail.split("\n"))
    for c in q.choices:
        out.append(f"- [{'x' if c.correct else ' '}] {c.text}")
        if c.feedback:
            out.append(f"  > {c.feedback}")
    out.extend(f"= {a}" for a in q.answers)
    if q.feedback:
        out.append(f"> {q.feedback}")
    return out


# --- reading the file ---------------------------------------------------------------------


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Questions are separated by blank lines; `//` comment lines are left out."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if current:
                blocks.append(current)
                current = []
        elif not line.startswith("//"):
            current.append((number, line))
    if current:
        blocks.append(current)
    return blocks


class _Block:
    """A question's lines joined by newlines, with a map from offsets back to file lines."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.text = "\n".join(line for _, line in lines)
        self.numbers = [n for n, _ in lines]
        self.starts: list[int] = []
        offset = 0
        for _, line in lines:
            self.starts.append(offset)
            offset += len(line) + 1

    def line_at(self, offset: int) -> int:
        return self.numbers[max(bisect.bisect_right(self.starts, offset) - 1, 0)]


def _convert_block(
    lines: list[tuple[int, str]], note: Reporter, path: str
) -> tuple[Question, str] | None:
    """One blank-line-separated block: the question and its title, or None if empty."""
    kept = []
    for number, line in lines:
        if line.startswith("$CATEGORY:"):
            category = _restore(line.removeprefix("$CATEGORY:")).strip()
            note(number, f"category `{category}` ignored: our quizzes have no categories")
        else:
            kept.append((number, line))
    if not kept:
        return None
    block = _Block(kept)
    text, first = block.text, kept[0][0]
    title, start = "", 0
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise _Skip(first, "the title's closing `::` is missing")
        title = _flat(text[2:end], None)
        start = end + 2
    open_ = text.find("{", start)
    if open_ == -1:
        if "}" in text[start:]:
            raise _Skip(first, "a `}` has no opening `{` (write `\\}` for a literal brace)")
        raise _Skip(
            first,
            "description (text with no `{…}` answers) not imported: it is not a question",
        )
    close = text.find("}", open_ + 1)
    if close == -1:
        raise _Skip(
            block.line_at(open_), "the answer block `{` is never closed (write `\\{` for a brace)"
        )
    after = text[close + 1 :]
    if "{" in after or "}" in after:
        raise _Skip(first, "several answer blocks `{…}` in one question are not supported")
    fmt, before = _split_format(text[start:open_])
    if after.strip():
        before = _pad(before, "end") + BLANK + _pad(after, "start")
    lines_, dropped = _text_lines(before, fmt)
    _note_dropped(dropped, first, note)
    if not lines_:
        if not title:
            raise _Skip(first, "the question has no text")
        note(first, "the question has no text; its title is used as the question")
        lines_ = [title]
    question = Question(key="", kind="single", stem=lines_[0], line=first)
    question.detail = "\n".join(_safe_detail(line) for line in lines_[1:])
    answers = text[open_ + 1 : close]
    base = open_ + 1
    general = answers.find("####")
    if general != -1:
        feedback, dropped = _text_lines(answers[general + 4 :], fmt)
        _note_dropped(dropped, block.line_at(base + general), note)
        question.feedback = " ".join(feedback)
        answers = answers[:general]
    _fill_answers(question, answers, base, block, fmt, note)
    _self_check(question, path)
    return question, title


@dataclass
class _Answer:
    marker: str  # "=", "~" or "" (text before the first marker)
    weight: float | None
    text: str
    feedback: str
    line: int


def _split_answers(answers: str, base: int, block: _Block, fmt: str | None) -> list[_Answer]:
    """Answers start at each unescaped `~` or `=`; `%n%` is a weight, `#` starts feedback."""
    marks = [i for i, ch in enumerate(answers) if ch in "~="]
    pieces = []
    head = answers[: marks[0]] if marks else answers
    if head.strip():
        pieces.append(("", head, 0))
    for k, i in enumerate(marks):
        end = marks[k + 1] if k + 1 < len(marks) else len(answers)
        pieces.append((answers[i], answers[i + 1 : end], i))
    out = []
    for marker, body, offset in pieces:
        weight = None
        if m := WEIGHT.match(body):
            weight = float(m.group(1))
            body = body[m.end() :]
        text, _, feedback = body.partition("#")
        line = block.line_at(base + offset)
        out.append(_Answer(marker, weight, _flat(text, fmt), _flat(feedback, fmt), line))
    return out


def _percent(weight: float) -> str:
    return f"{weight:g}%"


def _fill_answers(
    q: Question, answers: str, base: int, block: _Block, fmt: str | None, note: Reporter
) -> None:
    body = answers.strip()
    if not body:
        raise _Skip(
            q.line, "essay question (`{}`) not imported: our quizzes are marked automatically"
        )
    if body.startswith("#"):
        raise _Skip(
            q.line, "numerical question (`{#…}`) not imported: our quizzes have no numerical kind"
        )
    if "~" in body:
        _multiple_choice(q, _split_answers(answers, base, block, fmt), note)
        return
    if "=" in body and "->" in body:
        raise _Skip(
            q.line, "matching question (`=a -> b`) not imported: our quizzes have no matching kind"
        )
    head, *feedback = body.split("#")
    if _restore(head).strip().upper() in TRUE_FALSE:
        _true_false(q, TRUE_FALSE[_restore(head).strip().upper()], feedback, fmt, note)
        return
    _short_answer(q, _split_answers(answers, base, block, fmt), note)


def _multiple_choice(q: Question, answers: list[_Answer], note: Reporter) -> None:
    for a in answers:
        if not a.text:
            raise _Skip(a.line, "an answer has no text")
    single = any(a.marker == "=" for a in answers)
    if single:
        right = [a for a in answers if a.marker == "="]
        if len(right) > 1:
            raise _Skip(
                q.line,
                f"{len(right)} answers are marked `=` in a single-answer question; our single "
                "choice has exactly one right answer (use `~%n%` weights for choose-all)",
            )
        for a in answers:
            if a.weight is not None and a.weight != (100 if a.marker == "=" else 0):
                note(
                    a.line,
                    f"weight {_percent(a.weight)} on “{a.text}” not kept: our scoring is "
                    "all-or-nothing, so only the `=` answer counts as right",
                )
        correct = [a.marker == "=" for a in answers]
    else:
        correct = [a.weight is not None and a.weight > 0 for a in answers]
        if not any(correct):
            raise _Skip(q.line, "no answer has a positive weight, so no choice would be right")
        if not any(m in q.stem.casefold() for m in MULTIPLE_MARKERS):
            q.stem = f"{q.stem} {MULTIPLE_MARKER}"
        note(
            q.line,
            "imported as choose all that apply; the weights are not kept: our scoring is "
            "all-or-nothing (answers with a positive weight must all be ticked, and no other)",
        )
    q.kind = "single"
    q.choices = [
        Choice(a.text, right, a.feedback, line=a.line)
        for a, right in zip(answers, correct, strict=True)
    ]


def _true_false(
    q: Question, answer: bool, feedback: list[str], fmt: str | None, note: Reporter
) -> None:
    """Moodle: the first `#` is the feedback for a wrong answer, the second for a right one."""
    wrong = _flat(feedback[0], fmt) if feedback else ""
    right = _flat(feedback[1], fmt) if len(feedback) > 1 else ""
    if len(feedback) > 2:
        note(q.line, "true/false takes two feedbacks (wrong, then right); the rest was dropped")
    q.kind = "truefalse"
    q.choices = [
        Choice("True", answer, right if answer else wrong, line=q.line),
        Choice("False", not answer, wrong if answer else right, line=q.line),
    ]


def _short_answer(q: Question, answers: list[_Answer], note: Reporter) -> None:
    kept = []
    for a in answers:
        if not a.text:
            raise _Skip(a.line, "an answer has no text")
        if a.weight is not None and a.weight != 100:
            note(
                a.line,
                f"answer “{a.text}” ({_percent(a.weight)}) dropped: our scoring is "
                "all-or-nothing, so only fully right answers are kept",
            )
            continue
        if a.feedback:
            note(
                a.line,
                f"feedback for answer “{a.text}” dropped: short-answer questions have only "
                "question feedback",
            )
        kept.append(a.text)
    if not kept:
        raise _Skip(q.line, "no answer is fully right (all have weights below 100%)")
    q.kind = "text"
    q.answers = kept


# --- checks -------------------------------------------------------------------------------


def _self_check(q: Question, path: str) -> None:
    """The question alone must parse cleanly with our grammar, or it is skipped."""
    problems: list[Problem] = []
    parsed = parse_quiz(question_markdown(q), 1, Reporter(path, problems))
    if problems:
        raise _Skip(q.line, "; ".join(p.message for p in problems))
    q.kind = parsed.questions[0].kind


def _fold(q: Question) -> str:
    return q.stem.casefold()


def _unique_stem(q: Question, title: str, seen: dict[str, int], note: Reporter) -> bool:
    """Stems must differ; a repeated one borrows the GIFT title, if that makes it unique."""
    if _fold(q) not in seen:
        return True
    candidate = f"{q.stem} ({title})" if title else ""
    if candidate and candidate.casefold() not in seen:
        note(
            q.line,
            f"same text as the question on line {seen[_fold(q)]}; its title was added to "
            "keep the questions apart",
        )
        q.stem = candidate
        return True
    return False


# --- HTML -------------------------------------------------------------------------------
