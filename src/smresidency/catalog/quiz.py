"""The quiz grammar of a module's `## Quiz` section, parsed into plain dataclasses.

Pure Python: the loader, the authoring preview and the GIFT importer all share it.
"""

import re
from dataclasses import asdict, dataclass, field

from smresidency.catalog.problems import Reporter, yaml_mapping
from smresidency.catalog.render import sanitiser_losses

CHOICE = re.compile(r"^- \[( |x|X)\] (.+)$")
CHOICE_FEEDBACK = re.compile(r"^\s{2,}> ?(.*)$")
QUESTION_FEEDBACK = re.compile(r"^> ?(.*)$")
ANSWER = re.compile(r"^= ?(.+)$")
SETTING = re.compile(r"^[a-z_]+\s*:")
COOLDOWN = re.compile(r"^(\d+)\s*([smhd]?)$")
MULTIPLE_MARKERS = ("(choose all that apply)", "(select all that apply)")
SHOW_ANSWERS = ("never", "after_pass", "after_last_attempt")
UNITS = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}
SETTINGS = {"pass", "attempts", "cooldown", "draw", "shuffle", "show_answers"}


@dataclass
class Choice:
    text: str
    correct: bool
    feedback: str = ""
    line: int = 0


@dataclass
class Question:
    key: str
    kind: str  # single | multiple | truefalse | text
    stem: str
    detail: str = ""
    choices: list[Choice] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    feedback: str = ""
    line: int = 0


@dataclass
class Quiz:
    pass_percent: int = 80
    attempts: int = 0
    cooldown_seconds: int = 0
    draw: int | None = None
    shuffle: bool = True
    show_answers: str = "after_pass"
    questions: list[Question] = field(default_factory=list)
    line: int = 0

    def to_dict(self) -> dict:
        """A JSON-ready copy, kept server-side with the module version."""
        return asdict(self)


def normalise_answer(text: str) -> str:
    """Short answers compare without case and with spacing folded."""
    return " ".join(text.split()).casefold()


def parse_quiz(lines: list[str], first_line: int, report: Reporter) -> Quiz:
    """Parse the lines after `## Quiz`; `first_line` is the file line of lines[0]."""
    quiz = Quiz(line=first_line - 1)
    i, setting_lines = _parse_settings(quiz, lines, first_line, report)
    current: Question | None = None
    last_choice: Choice | None = None
    first_lines: dict[tuple[int, str], int] = {}  # where a detail or feedback text starts
    for offset, raw in enumerate(lines[i:], start=i):
        ln = first_line + offset
        line = raw.rstrip()
        if line.startswith("### "):
            current = _new_question(quiz, line[4:].strip(), ln)
            last_choice = None
        elif not line.strip():
            continue
        elif line.startswith("#"):
            report(ln, "the quiz must be the last section of a module; questions use `###`")
        elif current is None:
            report(ln, "unexpected text before the first question (questions start with `### `)")
        elif m := CHOICE.match(line):
            last_choice = Choice(m.group(2).strip(), m.group(1) != " ", line=ln)
            current.choices.append(last_choice)
        elif m := CHOICE_FEEDBACK.match(raw):
            if last_choice is None:
                report(ln, "indented `>` feedback must follow a choice")
            else:
                first_lines.setdefault((id(last_choice), "feedback"), ln)
                last_choice.feedback = _join(last_choice.feedback, m.group(1))
        elif m := QUESTION_FEEDBACK.match(line):
            first_lines.setdefault((id(current), "feedback"), ln)
            current.feedback = _join(current.feedback, m.group(1))
        elif m := ANSWER.match(line):
            current.answers.append(m.group(1).strip())
        elif current.choices or current.answers:
            report(ln, "unexpected text after the choices (feedback lines start with `>`)")
        else:
            first_lines.setdefault((id(current), "detail"), ln)
            current.detail = _join(current.detail, line.strip(), sep="\n")
    _check(quiz, setting_lines.get("draw", quiz.line), report)
    _check_html(quiz, first_lines, report)
    return quiz


def _check_html(quiz: Quiz, first_lines: dict, report: Reporter) -> None:
    """Refuse texts the sanitiser would empty or cut: learners must see what authors wrote."""
    for q in quiz.questions:
        if q.stem:
            _check_text(q.line, "the question", q.stem, report)
        if q.detail:
            line = first_lines.get((id(q), "detail"), q.line)
            _check_text(line, "the question's text", q.detail, report, inline=False)
        if q.feedback:
            line = first_lines.get((id(q), "feedback"), q.line)
            _check_text(line, "the question's feedback", q.feedback, report)
        for c in q.choices:
            _check_text(c.line, "the choice", c.text, report)
            if c.feedback:
                line = first_lines.get((id(c), "feedback"), c.line)
                _check_text(line, "the choice's feedback", c.feedback, report)


def _check_text(ln: int, what: str, text: str, report: Reporter, inline: bool = True) -> None:
    found, empty = sanitiser_losses(text, inline)
    losses = ", ".join(found)
    advice = "write it in Markdown, not raw HTML"
    if empty and losses:
        report(ln, f"{what} is empty once sanitised (it loses {losses}): {advice}")
    elif empty:
        report(ln, f"{what} shows nothing once sanitised: give it text or an image")
    elif losses:
        report(ln, f"{what} loses {losses} when sanitised: {advice}")


def _join(existing: str, more: str, sep: str = " ") -> str:
    return f"{existing}{sep}{more}" if existing else more


def _new_question(quiz: Quiz, stem: str, ln: int) -> Question:
    question = Question(key=f"q{len(quiz.questions) + 1}", kind="single", stem=stem, line=ln)
    quiz.questions.append(question)
    return question


def _parse_settings(
    quiz: Quiz, lines: list[str], first_line: int, report: Reporter
) -> tuple[int, dict[str, int]]:
    """Read the `key: value` block right after the heading; return the index after it
    and the file line of each setting."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and SETTING.match(lines[end]):
        end += 1
    if end == start:
        return start, {}
    data, keylines = yaml_mapping("\n".join(lines[start:end]), first_line + start, report)
    if data is None:
        return end, {}
    at = first_line + start
    for key, value in data.items():
        ln = keylines.get(key, at)
        if key not in SETTINGS:
            report(ln, f"unknown quiz setting `{key}` (known: {', '.join(sorted(SETTINGS))})")
        elif key == "pass":
            quiz.pass_percent = _percent(value, ln, report)
        elif key == "attempts":
            quiz.attempts = _whole(value, ln, report, "attempts", minimum=0)
        elif key == "cooldown":
            quiz.cooldown_seconds = _cooldown(value, ln, report)
        elif key == "draw":
            quiz.draw = _whole(value, ln, report, "draw", minimum=1)
        elif key == "shuffle":
            if not isinstance(value, bool):
                report(ln, "`shuffle` must be true or false")
            else:
                quiz.shuffle = value
        elif key == "show_answers":
            if value not in SHOW_ANSWERS:
                report(ln, f"`show_answers` must be one of: {', '.join(SHOW_ANSWERS)}")
            else:
                quiz.show_answers = value
    return end, keylines


def _percent(value, ln: int, report: Reporter) -> int:
    text = str(value).strip().rstrip("%").strip()
    if not text.isdigit() or not 1 <= int(text) <= 100:
        report(ln, f"pass mark must be a percentage from 1% to 100%, not `{value}`")
        return 80
    return int(text)


def _whole(value, ln: int, report: Reporter, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        report(ln, f"`{name}` must be a whole number of at least {minimum}, not `{value}`")
        return minimum
    return value


def _cooldown(value, ln: int, report: Reporter) -> int:
    m = COOLDOWN.match(str(value).strip())
    if not m:
        report(ln, f"`cooldown` must look like 0, 30s, 10m, 2h or 1d, not `{value}`")
        return 0
    return int(m.group(1)) * UNITS[m.group(2)]


def _check(quiz: Quiz, draw_line: int, report: Reporter) -> None:
    """Question-level rules: kinds, correct answers, unique stems, draw size."""
    if not quiz.questions:
        report(quiz.line, "the quiz has no questions (each starts with `### `)")
    seen: dict[str, int] = {}
    for q in quiz.questions:
        folded = q.stem.casefold()
        if folded in seen:
            report(q.line, f"duplicate question (same as line {seen[folded]})")
        seen.setdefault(folded, q.line)
        _classify(q, report)
    if quiz.draw is not None and quiz.questions and quiz.draw > len(quiz.questions):
        report(
            draw_line,
            f"`draw: {quiz.draw}` is more than the {len(quiz.questions)} questions in the bank",
        )


def _classify(q: Question, report: Reporter) -> None:
    if not q.stem:
        report(q.line, "question heading is empty")
    if q.choices and q.answers:
        report(q.line, "a question has either choices or `= answer` lines, not both")
        return
    if q.answers:
        q.kind = "text"
        return
    if not q.choices:
        report(q.line, "question has no choices (`- [ ]`/`- [x]`) and no `= answer` lines")
        return
    if len(q.choices) < 2:
        report(q.line, "a choice question needs at least two choices")
    correct = sum(c.correct for c in q.choices)
    texts = [c.text.casefold() for c in q.choices]
    if len(set(texts)) != len(texts):
        report(q.line, "two choices have the same text")
    if correct == 0:
        report(q.line, "no correct choice: mark at least one with `- [x]`")
    elif sorted(texts) == ["false", "true"]:
        q.kind = "truefalse"
        if correct != 1:
            report(q.line, "a true/false question has exactly one correct choice")
    elif any(marker in q.stem.casefold() for marker in MULTIPLE_MARKERS):
        q.kind = "multiple"
    elif correct > 1:
        report(
            q.line,
            f"single-choice question has {correct} correct choices; add "
            "`(choose all that apply)` to the question to allow several",
        )
