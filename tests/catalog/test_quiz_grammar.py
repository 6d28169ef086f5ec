"""The `## Quiz` grammar: what authors write, what learners get, and what mistakes are caught."""

from pathlib import Path

import pytest

from smresidency.catalog.loader import load_module
from smresidency.catalog.problems import Problem, Reporter
from smresidency.catalog.quiz import normalise_answer

FRONT = "---\ntitle: Quiz test\nminutes: 10\n---\nThe lesson.\n\n"


def load_quiz(tmp_path: Path, quiz: str, heading: str = "## Quiz"):
    """Write a module whose quiz is `quiz` and load it; return (module, problems, text)."""
    text = f"{FRONT}{heading}\n{quiz}"
    modules = tmp_path / "course" / "modules"
    modules.mkdir(parents=True, exist_ok=True)
    path = modules / "01-quiz.md"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    module = load_module(path, Reporter(path, problems))
    return module, sorted(problems), text


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based file line of the nth line containing `needle`."""
    hits = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in text"
    return hits[nth - 1]


def only_problem(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_reported(problems: list[Problem], text: str, needle: str, fragment: str) -> None:
    """Exactly one problem, on the line holding `needle`, whose message says `fragment`."""
    problem = only_problem(problems)
    assert problem.path.endswith("01-quiz.md")
    assert problem.line == line_of(text, needle), str(problem)
    assert fragment in problem.message, str(problem)


TWO_CHOICES = "- [x] Right\n- [ ] Wrong\n"


# --- parsing valid quizzes -------------------------------------------------------------


def test_single_choice_question_with_feedback(tmp_path):
    quiz = """
### A patient sends you a friend request. What should you do?
Think about professional boundaries.
- [ ] Accept it.
  > Accepting blurs the boundary.
- [x] Decline politely and point them to the official page.
  > Correct: this keeps a professional boundary.
  > It still offers a way to stay in touch.
- [ ] Ignore it.
  > Ignoring it leaves them without guidance.
> Boundaries apply online as well as on the ward.
"""
    module, problems, text = load_quiz(tmp_path, quiz)
    assert problems == []
    assert module.lesson.strip() == "The lesson."
    (question,) = module.quiz.questions
    assert question.kind == "single"
    assert question.key == "q1"
    assert question.stem == "A patient sends you a friend request. What should you do?"
    assert question.line == line_of(text, "### A patient")
    assert question.detail == "Think about professional boundaries."
    assert [c.correct for c in question.choices] == [False, True, False]
    assert [c.text for c in question.choices] == [
        "Accept it.",
        "Decline politely and point them to the official page.",
        "Ignore it.",
    ]
    assert [c.feedback for c in question.choices] == [
        "Accepting blurs the boundary.",
        "Correct: this keeps a professional boundary. It still offers a way to stay in touch.",
        "Ignoring it leaves them without guidance.",
    ]
    assert question.choices[1].line == line_of(text, "- [x] Decline")
    assert question.feedback == "Boundaries apply online as well as on the ward."
    assert question.answers == []


def test_multiple_choice_question(tmp_path):
    quiz = """
### Which details could identify a patient (choose all that apply)?
- [x] Initials on a whiteboard
  > Initials plus location identify people.
- [X] A distinctive tattoo
  > Unique features are identifiers.
- [ ] The colour of the paint
  > Paint colour identifies nobody.
"""
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    (question,) = module.quiz.questions
    assert question.kind == "multiple"
    assert [c.correct for c in question.choices] == [True, True, False]
    assert all(c.feedback for c in question.choices)


def test_multiple_choice_allows_a_single_correct_answer(tmp_path):
    quiz = "### Which apply? (Select all that apply)\n- [x] One\n- [ ] Two\n- [ ] Three\n"
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    assert module.quiz.questions[0].kind == "multiple"


def test_true_false_question(tmp_path):
    quiz = """
### True or false: deleting a post removes every copy of it.
- [ ] True
  > Screenshots and shares survive deletion.
- [x] False
  > Correct. Assume anything posted is permanent.
"""
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    (question,) = module.quiz.questions
    assert question.kind == "truefalse"
    assert [(c.text, c.correct) for c in question.choices] == [("True", False), ("False", True)]


def test_text_question_with_several_answers(tmp_path):
    quiz = """
### Type the full term that "PHI" stands for:
= protected health information
= protected health info
=Protected Health Information
> PHI is individually identifiable health information.
"""
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    (question,) = module.quiz.questions
    assert question.kind == "text"
    assert question.choices == []
    assert question.answers == [
        "protected health information",
        "protected health info",
        "Protected Health Information",
    ]
    assert question.feedback == "PHI is individually identifiable health information."


def test_settings_are_parsed(tmp_path):
    quiz = f"""pass: 80%
attempts: 3
cooldown: 10m
draw: 2
shuffle: false
show_answers: never

### First
{TWO_CHOICES}
### Second
{TWO_CHOICES}
### Third
{TWO_CHOICES}"""
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    q = module.quiz
    assert (q.pass_percent, q.attempts, q.cooldown_seconds, q.draw) == (80, 3, 600, 2)
    assert q.shuffle is False
    assert q.show_answers == "never"
    assert [x.key for x in q.questions] == ["q1", "q2", "q3"]
    assert q.to_dict()["questions"][0]["choices"][0] == {
        "text": "Right",
        "correct": True,
        "feedback": "",
        "line": q.questions[0].choices[0].line,
    }


def test_default_settings(tmp_path):
    module, problems, _ = load_quiz(tmp_path, f"### Only\n{TWO_CHOICES}")
    assert problems == []
    q = module.quiz
    assert (q.pass_percent, q.attempts, q.cooldown_seconds, q.draw) == (80, 0, 0, None)
    assert q.shuffle is True
    assert q.show_answers == "after_pass"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("0", 0), ("30s", 30), ("10m", 600), ("1h", 3600), ("1d", 86400), ("15", 900)],
)
def test_cooldown_units(tmp_path, value, seconds):
    module, problems, _ = load_quiz(tmp_path, f"cooldown: {value}\n\n### Q\n{TWO_CHOICES}")
    assert problems == []
    assert module.quiz.cooldown_seconds == seconds


@pytest.mark.parametrize(("value", "percent"), [("80%", 80), ("100%", 100), ("1%", 1), ("75", 75)])
def test_pass_mark(tmp_path, value, percent):
    module, problems, _ = load_quiz(tmp_path, f"pass: {value}\n\n### Q\n{TWO_CHOICES}")
    assert problems == []
    assert module.quiz.pass_percent == percent


@pytest.mark.parametrize("value", ["never", "after_pass", "after_last_attempt"])
def test_show_answers_values(tmp_path, value):
    module, problems, _ = load_quiz(tmp_path, f"show_answers: {value}\n\n### Q\n{TWO_CHOICES}")
    assert problems == []
    assert module.quiz.show_answers == value


def test_choice_text_may_contain_markdown_and_brackets(tmp_path):
    quiz = "### Pick the link\n- [x] See [the policy](https://example.org)\n- [ ] `[x]` in code\n"
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    texts = [c.text for c in module.quiz.questions[0].choices]
    assert texts == ["See [the policy](https://example.org)", "`[x]` in code"]


def test_normalise_answer():
    assert normalise_answer("  Protected   Health Info ") == normalise_answer(
        "protected health info"
    )
    assert normalise_answer("  Protected   Health Info ") == "protected health info"
    assert normalise_answer("protected\thealth\ninfo") == "protected health info"
    assert normalise_answer("protected health info") != normalise_answer("protected healthinfo")


# --- validation errors, each on its line ------------------------------------------------


def test_no_correct_choice(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### Which one?\n- [ ] A\n- [ ] B\n")
    assert_reported(problems, text, "### Which one?", "no correct choice")


def test_single_choice_with_two_correct(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### Which one?\n- [x] A\n- [x] B\n- [ ] C\n")
    assert_reported(
        problems, text, "### Which one?", "single-choice question has 2 correct choices"
    )
    assert "(choose all that apply)" in problems[0].message


def test_true_false_with_both_marked(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### True or false: x\n- [x] True\n- [x] False\n")
    assert_reported(
        problems, text, "### True or false", "a true/false question has exactly one correct"
    )


def test_draw_larger_than_bank(tmp_path):
    quiz = f"pass: 80%\ndraw: 3\n\n### First\n{TWO_CHOICES}\n### Second\n{TWO_CHOICES}"
    _, problems, text = load_quiz(tmp_path, quiz)
    assert_reported(problems, text, "draw: 3", "`draw: 3` is more than the 2 questions in the bank")


@pytest.mark.parametrize("value", ["0%", "150%", "eighty"])
def test_pass_mark_out_of_range(tmp_path, value):
    _, problems, text = load_quiz(tmp_path, f"attempts: 2\npass: {value}\n\n### Q\n{TWO_CHOICES}")
    assert_reported(
        problems, text, "pass:", f"pass mark must be a percentage from 1% to 100%, not `{value}`"
    )


@pytest.mark.parametrize("value", ["10 minutes", "1.5h", "-5", "soon"])
def test_bad_cooldown(tmp_path, value):
    _, problems, text = load_quiz(tmp_path, f"cooldown: {value}\n\n### Q\n{TWO_CHOICES}")
    assert_reported(problems, text, "cooldown:", "`cooldown` must look like 0, 30s, 10m, 2h or 1d")


def test_unknown_setting(tmp_path):
    _, problems, text = load_quiz(tmp_path, f"pass: 80%\ntime_limit: 5\n\n### Q\n{TWO_CHOICES}")
    assert_reported(problems, text, "time_limit:", "unknown quiz setting `time_limit`")


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("shuffle: maybe", "`shuffle` must be true or false"),
        ("show_answers: always", "`show_answers` must be one of"),
        ("attempts: -1", "`attempts` must be a whole number of at least 0"),
        ("draw: 0", "`draw` must be a whole number of at least 1"),
    ],
)
def test_bad_setting_values(tmp_path, setting, fragment):
    _, problems, text = load_quiz(tmp_path, f"pass: 80%\n{setting}\n\n### Q\n{TWO_CHOICES}")
    assert_reported(problems, text, setting, fragment)


def test_duplicate_question(tmp_path):
    quiz = f"### Is this allowed?\n{TWO_CHOICES}\n### IS THIS ALLOWED?\n{TWO_CHOICES}"
    _, problems, text = load_quiz(tmp_path, quiz)
    first = line_of(text, "### Is this allowed?")
    assert_reported(
        problems, text, "### IS THIS ALLOWED?", f"duplicate question (same as line {first})"
    )


def test_choices_and_answers_mixed(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### Mixed\n- [x] A\n- [ ] B\n= a\n")
    assert_reported(problems, text, "### Mixed", "either choices or `= answer` lines, not both")


def test_one_choice_only(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### Lonely\n- [x] The only choice\n")
    assert_reported(problems, text, "### Lonely", "needs at least two choices")


def test_question_without_choices_or_answers(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### Empty question\nJust some text.\n")
    assert_reported(problems, text, "### Empty question", "no choices")


def test_duplicate_choice_text(tmp_path):
    _, problems, text = load_quiz(tmp_path, "### Twins\n- [x] Same\n- [ ] same\n")
    assert_reported(problems, text, "### Twins", "two choices have the same text")


def test_text_before_first_question(tmp_path):
    _, problems, text = load_quiz(tmp_path, f"\nAnswer all questions.\n### Q\n{TWO_CHOICES}")
    assert_reported(problems, text, "Answer all questions.", "unexpected text before the first")


def test_text_after_the_choices(tmp_path):
    _, problems, text = load_quiz(tmp_path, f"### Q\n{TWO_CHOICES}Forgot the marker.\n")
    assert_reported(problems, text, "Forgot the marker.", "unexpected text after the choices")


def test_choice_feedback_without_a_choice(tmp_path):
    _, problems, text = load_quiz(tmp_path, f"### Q\n  > Orphan feedback\n{TWO_CHOICES}")
    assert_reported(problems, text, "Orphan feedback", "indented `>` feedback must follow a choice")


@pytest.mark.parametrize("heading", ["# Summary", "## Further reading"])
def test_heading_inside_the_quiz(tmp_path, heading):
    _, problems, text = load_quiz(tmp_path, f"### Q\n{TWO_CHOICES}\n{heading}\nMore text.\n")
    problem = problems[0]
    assert problem.line == line_of(text, heading)
    assert "the quiz must be the last section of a module" in problem.message


@pytest.mark.parametrize("heading", ["## quiz", "## QUIZ", "## Quiz:"])
def test_quiz_heading_spelled_wrongly(tmp_path, heading):
    module, problems, text = load_quiz(tmp_path, f"### Q\n{TWO_CHOICES}", heading=heading)
    problem = only_problem(problems)
    assert problem.line == line_of(text, heading)
    assert "the quiz heading must be exactly `## Quiz`" in problem.message
    assert module.quiz is None


@pytest.mark.parametrize("quiz", ["", "\n\n", "pass: 80%\n"])
def test_empty_quiz(tmp_path, quiz):
    module, problems, text = load_quiz(tmp_path, quiz)
    assert_reported(problems, text, "## Quiz", "the quiz has no questions")
    assert module.quiz.questions == []


# --- raw HTML the sanitiser would strip (issue 12.1) ----------------------------------------

META_REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


@pytest.mark.parametrize(
    ("quiz", "needle", "fragment"),
    [
        (
            f"### Where do you go?\n- [x] {META_REFRESH}\n- [ ] Nowhere\n",
            "evil.example",
            "the choice is empty once sanitised (it loses the <meta> tag)",
        ),
        (
            f"### {META_REFRESH}\n{TWO_CHOICES}",
            "evil.example",
            "the question is empty once sanitised (it loses the <meta> tag)",
        ),
        (
            f"### Q\n- [x] Right\n  > Yes.\n  > {META_REFRESH}\n- [ ] Wrong\n",
            "  > Yes.",  # reported where the feedback starts
            "the choice's feedback loses the <meta> tag when sanitised",
        ),
        (
            f"### Q\n{TWO_CHOICES}> Read again.\n> {META_REFRESH}\n",
            "Read again.",  # reported where the feedback starts
            "the question's feedback loses the <meta> tag",
        ),
        (
            f'### Q\nLook at this: <iframe src="https://evil.example/"></iframe>\n{TWO_CHOICES}',
            "Look at this",
            "the question's text loses the <iframe> tag",
        ),
        (
            "### Q\n- [x] <script>alert(1)</script>Right\n- [ ] Wrong\n",
            "alert(1)",
            "the choice loses the <script> tag, some of its text when sanitised",
        ),
        (
            "### Q\n- [x] [Click](javascript:alert(1))\n- [ ] Wrong\n",
            "javascript:",
            "the choice loses the href attribute of <a>",
        ),
        (
            '### Q\n- [x] <img src="x.png" alt="x" onerror="alert(1)">\n- [ ] Wrong\n',
            "onerror",
            "the choice loses the onerror attribute of <img>",
        ),
        (
            "### Q\n- [x] <u>Right</u>\n- [ ] Wrong\n",
            "<u>",
            "write it in Markdown, not raw HTML",
        ),
        (
            "### Q\n- [x] <span></span>\n- [ ] Wrong\n",
            "<span>",
            "the choice shows nothing once sanitised",
        ),
    ],
)
def test_text_the_sanitiser_would_strip_is_refused_with_its_line(tmp_path, quiz, needle, fragment):
    _, problems, text = load_quiz(tmp_path, quiz)
    assert_reported(problems, text, needle, fragment)


def test_markdown_and_safe_inline_html_are_accepted(tmp_path):
    quiz = """
### Is *this* **safe**? See [the policy](https://example.org/policy) and `<b>` in code.
Compare a < b & c, and <kbd>Ctrl</kbd>.
- [x] #MeToo is a hashtag, not a heading
  > Yes: a leading # in a choice stays a hashtag.
- [ ] ![A chart](https://example.org/chart.png)
  > An image alone is a choice a learner can see.
> Smart "quotes" -- and dashes.
"""
    module, problems, _ = load_quiz(tmp_path, quiz)
    assert problems == []
    assert module.quiz.questions[0].choices[0].text.startswith("#MeToo")
