"""Quality warnings: cued answers, honest time, stale facts, reading level, link syntax."""

from datetime import date
from pathlib import Path

import pytest

from smresidency.catalog.estimate import estimate
from smresidency.catalog.lint import LintSettings, lint_course, lint_module
from smresidency.catalog.loader import load_content, load_module
from smresidency.catalog.problems import Reporter

TODAY = date(2026, 12, 5)
SETTINGS = LintSettings(today=TODAY)
FRESH = "Facts last checked: 2026-11.\n\n"


def module(body: str, quiz: str = "", minutes: int = 1, tmp: Path = Path("/x")):
    """A module parsed from text, as the loader would give it."""
    text = f"---\ntitle: T\nminutes: {minutes}\nobjectives: [o]\nrequires: []\n---\n{body}{quiz}"
    problems = []
    path = tmp / "c" / "modules" / "01-t.md"
    found = load_module(path, Reporter(path, problems), text=text)
    assert not problems, problems
    return found


def messages(found) -> list[str]:
    return [w.message.removeprefix("warning: ") for w in found]


def question(stem: str, right: str, *wrong: str, feedback: str = "  > Because.") -> str:
    options = [f"- [x] {right}\n{feedback}\n"] + [f"- [ ] {w}\n" for w in wrong]
    return f"### {stem}\n" + "".join(options) + "\n"


def quiz(*questions: str) -> str:
    return "## Quiz\npass: 80%\n\n" + "".join(questions)


def test_estimate_counts_words_questions_and_activities():
    lesson = "word " * 400 + "\n## Activity: draft a post (15 min)\n\nDo it.\n"
    found = estimate(lesson, drawn_questions=6)
    assert (found.words, found.activities) == (408, 15)  # the heading and its task are read too
    assert found.total == round(408 / 200 + 9 + 15)
    assert not found.differs_from(26) and found.differs_from(40) and found.differs_from(15)


def test_time_warning_names_the_file_and_the_sums():
    found = lint_module(module(FRESH + "word " * 200, minutes=30), SETTINGS)
    [warning] = [w for w in found if "differs" in w.message]
    assert warning.line == 2 and warning.path.endswith("01-t.md")
    assert "1 min reading" in warning.message and "about 1 min" in warning.message


def test_longest_correct_option_is_a_cue_above_the_limit():
    cued = quiz(
        question("Q1?", "The right answer is much longer", "No", "Nope"),
        question("Q2?", "Also the longest option here", "No", "Nope"),
        question("Q3?", "Short", "A much longer wrong one", "Also long and wrong"),
    )
    found = messages(lint_module(module(FRESH + "text\n", cued), SETTINGS))
    assert any("longest in 2 of 3 single-answer questions (67%" in m for m in found)


def test_balanced_options_and_emphasised_negatives_pass():
    clean = quiz(
        question("Which one is **not** allowed?", "Posting a scan", "Sharing a poster", "Liking"),
        question("Pick the safe option", "Ask first", "Post it now", "Tag them"),
    )
    found = messages(lint_module(module(FRESH + "text\n", clean, minutes=3), SETTINGS))
    assert found == []


@pytest.mark.parametrize(
    ("stem", "right", "wrong", "expected"),
    [
        ("Which is not allowed?", "Posting a scan", "Sharing", "negatively worded stem"),
        ("Pick one", "A", "All of the above", "avoid “All of the above”"),
        ("Pick one", "Yes, with consent recorded in the notes", "No", "option lengths vary"),
    ],
)
def test_question_warnings(stem, right, wrong, expected):
    found = messages(
        lint_module(module(FRESH, quiz(question(stem, right, wrong, "Maybe"))), SETTINGS)
    )
    assert any(expected in m for m in found), found


def test_a_question_without_feedback_is_named_at_its_line():
    text = quiz(question("Pick one", "Ask first", "Post now", feedback=""))
    found = lint_module(module(FRESH, text), SETTINGS)
    [warning] = [w for w in found if "no feedback" in w.message]
    assert warning.line == 7 + FRESH.count("\n") + 3  # front matter, facts line, quiz header


def test_facts_last_checked_missing_or_stale():
    assert "no “Facts last checked" in " ".join(messages(lint_module(module("text\n"), SETTINGS)))
    old = messages(lint_module(module("Facts last checked: 2025-06.\n"), SETTINGS))
    assert any("more than 12 months ago" in m for m in old)
    recent = messages(lint_module(module("Facts last checked: 2026-01.\n"), SETTINGS))
    assert not any("checked" in m for m in recent)


def test_reading_level_above_the_setting_warns():
    dense = (
        "Notwithstanding institutional communication governance considerations, "
        "multidisciplinary organisational stakeholders systematically operationalise "
        "comprehensive reputational-risk mitigation methodologies. "
    ) * 10
    found = messages(lint_module(module(FRESH + dense), SETTINGS))
    assert any("reading level is grade" in m for m in found)
    plain = "We post one photo a week. We ask first. We say thanks. " * 12
    assert not any(
        "reading level" in m for m in messages(lint_module(module(FRESH + plain), SETTINGS))
    )


def test_malformed_link_targets_warn():
    body = FRESH + "See [the guide](htp://example) and [ok](https://example.org/a).\n"
    found = messages(lint_module(module(body), SETTINGS))
    assert found == ["link “the guide” has a malformed target `htp://example`"]


def test_course_lint_finds_duplicate_stems_across_modules(tmp_path, write_course):
    shared = quiz(question("Same stem?", "Ask first", "Post now", "Tag them"))
    root = write_course(modules={"01-a": {"quiz": shared}, "02-b": {"quiz": shared}})
    [course], problems = load_content(root)
    assert not problems
    found = lint_course(course, SETTINGS)
    assert any(
        "the same question is asked at" in w.message and "01-a.md" in w.message for w in found
    )


def test_lint_command_prints_warnings_and_strict_fails(runner, tmp_path, write_course):
    root = write_course(modules={"01-a": {"minutes": 90, "body": "word " * 1000}})
    result = runner.invoke(args=["content", "lint", str(root)])
    assert result.exit_code == 0, result.output
    assert "01-a.md:2: warning: `minutes: 90` differs" in result.output
    assert "warning(s) in 1 course(s), 1 module(s)." in result.output
    assert runner.invoke(args=["content", "lint", "--strict", str(root)]).exit_code == 1


def test_validate_warns_about_time_but_still_passes(runner, write_course):
    root = write_course(modules={"01-a": {"minutes": 90, "body": "word " * 1000}})
    result = runner.invoke(args=["content", "validate", str(root)])
    assert result.exit_code == 0
    assert "01-a.md:2: warning: `minutes: 90` differs by more than 20%" in result.output
    assert "OK: 1 course(s)" in result.output
