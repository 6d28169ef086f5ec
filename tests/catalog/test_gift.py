"""Moodle GIFT -> our quiz grammar: every kind, the details dropped, and what is refused."""

import pytest

from smresidency.catalog.gift import convert_gift
from smresidency.catalog.problems import Problem, Reporter
from smresidency.catalog.quiz import Quiz, parse_quiz


def parsed(markdown: str) -> Quiz:
    """The converted Markdown must parse with our grammar with zero problems."""
    problems: list[Problem] = []
    quiz = parse_quiz(markdown.split("\n"), 1, Reporter("quiz.md", problems))
    assert problems == [], "\n".join(map(str, problems)) + "\n" + markdown
    return quiz


def convert(gift: str):
    result = convert_gift(gift, path="bank.gift")
    return result, parsed(result.markdown) if result.questions else None


def messages(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in problems]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# --- multiple choice ---------------------------------------------------------------------


def test_single_choice_with_feedback_per_answer_and_general_feedback():
    gift = """\
Who is responsible for what you post on a personal account? {
=You are #Right: your professional obligations follow you.
~Your employer #No, it is still your post.
~Nobody
####Professional standards apply online as well as offline.
}
"""
    result, quiz = convert(gift)
    assert result.skipped == [] and result.notes == []
    (q,) = quiz.questions
    assert q.kind == "single"
    assert q.stem == "Who is responsible for what you post on a personal account?"
    assert [(c.text, c.correct) for c in q.choices] == [
        ("You are", True),
        ("Your employer", False),
        ("Nobody", False),
    ]
    assert q.choices[0].feedback == "Right: your professional obligations follow you."
    assert q.choices[1].feedback == "No, it is still your post."
    assert q.choices[2].feedback == ""
    assert q.feedback == "Professional standards apply online as well as offline."
    assert result.markdown.splitlines() == [
        "### Who is responsible for what you post on a personal account?",
        "- [x] You are",
        "  > Right: your professional obligations follow you.",
        "- [ ] Your employer",
        "  > No, it is still your post.",
        "- [ ] Nobody",
        "> Professional standards apply online as well as offline.",
    ]


def test_answers_on_one_line_and_right_answer_not_first():
    _, quiz = convert("Pick the odd one out {~Twitter ~Facebook =Fax ~Instagram}\n")
    (q,) = quiz.questions
    assert [c.correct for c in q.choices] == [False, False, True, False]
    assert [c.text for c in q.choices] == ["Twitter", "Facebook", "Fax", "Instagram"]


def test_weighted_answers_become_choose_all_that_apply_and_weights_are_noted():
    gift = """\
Which details could identify a patient? {
~%50%Initials on a whiteboard
~%50%A distinctive tattoo #Distinctive marks identify people.
~%-100%The colour of the ward walls
}
"""
    result, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.kind == "multiple"
    assert q.stem == "Which details could identify a patient? (choose all that apply)"
    assert [c.correct for c in q.choices] == [True, True, False]
    assert q.choices[1].feedback == "Distinctive marks identify people."
    note = only(result.notes)
    assert note.line == 1 and "all-or-nothing" in note.message
    assert "%" not in result.markdown


def test_marker_is_not_added_twice():
    gift = "Which ones (Select all that apply)? {~%100%A ~%0%B}\n"
    _, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.kind == "multiple"
    assert q.stem == "Which ones (Select all that apply)?"


def test_multiple_answers_need_a_positive_weight():
    result, quiz = convert("Which? {~%-50%A ~%0%B}\n")
    assert quiz is None
    skipped = only(result.skipped)
    assert skipped.line == 1 and "positive weight" in skipped.message


def test_partial_credit_on_a_wrong_answer_of_a_single_choice_is_noted():
    gift = "Best first step?\n{=Listen first\n~%25%Post a little\n~Post a lot}\n"
    result, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.kind == "single"
    assert [c.correct for c in q.choices] == [True, False, False]
    note = only(result.notes)
    assert note.line == 3 and "25%" in note.message and "all-or-nothing" in note.message


def test_two_fully_right_answers_in_a_single_choice_are_refused():
    result, _ = convert("Either is right {=A =B ~C}\n")
    assert result.questions == []
    skipped = only(result.skipped)
    assert skipped.line == 1 and "exactly one right answer" in skipped.message


def test_duplicate_choices_are_refused_by_our_grammar_not_written():
    result, _ = convert("Same twice {=Yes ~yes ~No}\n")
    assert result.questions == []
    assert "two choices have the same text" in only(result.skipped).message


# --- true/false --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "true_correct"),
    [("T", True), ("TRUE", True), ("F", False), ("FALSE", False), ("true", True)],
)
def test_true_false_forms(answer, true_correct):
    result, quiz = convert(f"Deleting a post undoes a privacy breach. {{{answer}}}\n")
    (q,) = quiz.questions
    assert q.kind == "truefalse"
    assert [(c.text, c.correct) for c in q.choices] == [
        ("True", true_correct),
        ("False", not true_correct),
    ]
    assert result.notes == [] and result.skipped == []


def test_true_false_feedback_follows_moodle_order_wrong_then_right():
    # The answer is FALSE: the first feedback is for the wrong pick (True),
    # the second for the right pick (False).
    gift = (
        "A disclaimer makes any opinion acceptable."
        "{FALSE#It does not.#Correct.####Check the policy.}\n"
    )
    _, quiz = convert(gift)
    (q,) = quiz.questions
    true, false = q.choices
    assert (true.correct, true.feedback) == (False, "It does not.")
    assert (false.correct, false.feedback) == (True, "Correct.")
    assert q.feedback == "Check the policy."


def test_true_false_with_answer_true_maps_feedback_the_other_way():
    _, quiz = convert("Screenshots outlive deletion.{T#Think again.#Yes.}\n")
    true, false = quiz.questions[0].choices
    assert (true.correct, true.feedback) == (True, "Yes.")
    assert (false.correct, false.feedback) == (False, "Think again.")


# --- short answer ------------------------------------------------------------------------


def test_short_answer_keeps_unweighted_and_full_answers_and_notes_the_rest():
    gift = """\
What does PHI stand for? {
=protected health information
=%100%protected health info
=%50%health information #Nearly.
=PHI#That is the abbreviation itself.
}
"""
    result, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.kind == "text"
    assert q.answers == ["protected health information", "protected health info", "PHI"]
    assert messages(result.notes) == [
        (
            4,
            "answer “health information” (50%) dropped: our scoring is all-or-nothing, "
            "so only fully right answers are kept",
        ),
        (
            5,
            "feedback for answer “PHI” dropped: short-answer questions have only question feedback",
        ),
    ]
    assert "= PHI" in result.markdown


def test_short_answer_with_only_partial_answers_is_skipped():
    result, _ = convert("Name one network {=%50%Facebook =%50%Twitter}\n")
    assert result.questions == []
    assert "no answer is fully right" in only(result.skipped).message
    assert len(result.notes) == 2


def test_short_answer_general_feedback():
    _, quiz = convert("Two plus two in words? {=four ####Basic arithmetic.}\n")
    (q,) = quiz.questions
    assert q.answers == ["four"] and q.feedback == "Basic arithmetic."


# --- missing word, titles, comments, categories, escapes, formats -------------------------


def test_missing_word_puts_a_blank_where_the_braces_were():
    _, quiz = convert("Listen {=before ~after ~instead of} you post.\n")
    (q,) = quiz.questions
    assert q.stem == "Listen _____ you post."
    assert q.kind == "single"


def test_missing_word_at_the_end_of_a_sentence():
    _, quiz = convert("The usual abbreviation is {=PHI ~PII}.\n")
    assert quiz.questions[0].stem == "The usual abbreviation is _____."


def test_titles_are_dropped_comments_ignored_and_categories_noted():
    gift = """\
// question: 1 name: Friend request
// another comment line
$CATEGORY: $course$/top/Professionalism

::Friend request::A patient sends you a friend request. {
// a comment inside the answers
=Decline politely
~Accept
}
"""
    result, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.stem == "A patient sends you a friend request."
    assert "Friend request::" not in result.markdown
    assert "comment" not in result.markdown
    assert [c.text for c in q.choices] == ["Decline politely", "Accept"]
    assert messages(result.notes) == [
        (3, "category `$course$/top/Professionalism` ignored: our quizzes have no categories")
    ]
    assert result.skipped == []
    assert result.origins == [(1, 5)]


def test_title_is_the_stem_when_there_is_no_text():
    result, quiz = convert("::Is social media public?::{T}\n")
    assert quiz.questions[0].stem == "Is social media public?"
    assert "title is used" in only(result.notes).message


def test_same_text_twice_is_told_apart_by_the_title_or_skipped():
    gift = """\
::First::Which is right? {=A ~B}

::Second::Which is right? {=C ~D}

Which is right? {=E ~F}
"""
    result, quiz = convert(gift)
    assert [q.stem for q in quiz.questions] == ["Which is right?", "Which is right? (Second)"]
    assert "title was added" in only(result.notes).message
    skipped = only(result.skipped)
    assert skipped.line == 5 and "duplicate question text (same as line 1)" in skipped.message


def test_escaped_characters_are_literal():
    gift = r"""Which is a valid hashtag\: \#MeToo or \{curly\}? {
=\#MeToo \= yes
~a \~ tilde #feedback with \# hash
}
"""
    result, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.stem == "Which is a valid hashtag: #MeToo or {curly}?"
    assert [c.text for c in q.choices] == ["#MeToo = yes", "a ~ tilde"]
    assert q.choices[1].feedback == "feedback with # hash"
    assert result.skipped == []


def test_escaped_backslash_does_not_escape_the_next_character():
    _, quiz = convert(r"Path C:\\temp {=yes ~no}" + "\n")
    assert quiz.questions[0].stem == "Path C:\\temp"


def test_html_marker_is_stripped_and_basic_html_becomes_markdown():
    gift = (
        "::Html::[html]<p>A <b>colleague</b> posts a <i>ward</i> photo.</p>"
        '<p>See <a href="https://example.org/policy">the policy</a>&nbsp;&amp; act.</p>'
        '<p><img src="@@PLUGINFILE@@/ward.png" alt="">What should you check?</p>{\n'
        "=[html]<strong>The background</strong>#[html]Right<br>always.\n"
        "~The focus\n"
        "}\n"
    )
    result, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.stem == "A **colleague** posts a *ward* photo."
    assert q.detail.split("\n") == [
        "See [the policy](https://example.org/policy) & act.",
        "What should you check?",
    ]
    assert [c.text for c in q.choices] == ["**The background**", "The focus"]
    assert q.choices[0].feedback == "Right always."
    assert "image was dropped" in only(result.notes).message
    assert "[html]" not in result.markdown and "<" not in result.markdown


@pytest.mark.parametrize("marker", ["[moodle]", "[plain]", "[markdown]"])
def test_other_format_markers_are_stripped(marker):
    _, quiz = convert(f"{marker}Plain *question* text {{=yes ~no}}\n")
    assert quiz.questions[0].stem == "Plain *question* text"


def test_scenario_lines_cannot_be_mistaken_for_quiz_syntax():
    gift = (
        "[html]The case<br># not a heading<br>&gt; not feedback<br>= not an answer"
        "<br>- [x] not a choice{=yes ~no}\n"
    )
    _, quiz = convert(gift)
    (q,) = quiz.questions
    assert q.stem == "The case"
    assert len(q.choices) == 2
    assert q.detail.split("\n") == [
        "\\# not a heading",
        "\\> not feedback",
        "&#61; not an answer",
        "\\- [x] not a choice",
    ]


def test_line_breaks_in_the_source_are_spaces():
    _, quiz = convert(
        "A patient was discharged yesterday.\nWhat should you do? {=Decline ~Accept}\n"
    )
    assert quiz.questions[0].stem == "A patient was discharged yesterday. What should you do?"


def test_crlf_and_bom_are_accepted():
    gift = "\ufeff// comment\r\nQ one {T}\r\n\r\nQ two {=a ~b}\r\n"
    result, quiz = convert(gift)
    assert [q.stem for q in quiz.questions] == ["Q one", "Q two"]
    assert result.origins == [(1, 2), (5, 4)]


# --- unsupported kinds are reported, with their lines -------------------------------------


UNSUPPORTED = """\
// a bank with everything we cannot take
::Match::Match the networks to their owners. {
=Instagram -> Meta
=YouTube -> Google
}

::Num::How many characters fit in a post? {#280}

::Range::Pick a number {#1..5}

::Essay::Describe your posting routine. {}

This is only a description; it has no answers.

::Keep::Is this one kept? {TRUE}

Two blanks {=a ~b} and {=c ~d} here.

Never closed {=a ~b
"""


def test_unsupported_questions_are_reported_by_line_and_the_rest_imported():
    result, quiz = convert(UNSUPPORTED)
    assert [q.stem for q in quiz.questions] == ["Is this one kept?"]
    found = messages(result.skipped)
    assert [line for line, _ in found] == [2, 7, 9, 11, 13, 17, 19]
    kinds = [message.split(" ")[0] for _, message in found]
    assert kinds[:5] == ["matching", "numerical", "numerical", "essay", "description"]
    assert "several answer blocks" in found[5][1]
    assert "never closed" in found[6][1]
    assert all(p.path == "bank.gift" for p in result.skipped)
    assert str(result.skipped[0]).startswith("bank.gift:2: matching question")


def test_a_file_with_nothing_usable_gives_no_markdown():
    result = convert_gift("// only comments\n\n$CATEGORY: top\n", path="x.gift")
    assert result.questions == [] and result.markdown == "" and result.skipped == []
    assert only(result.notes).line == 3


# --- round trip ---------------------------------------------------------------------------


FULL = """\
$CATEGORY: $course$/top/Residency

// 1: single choice
::Q1::Who owns your posts? {=You #Yes. ~The platform ####Read the terms.}

// 2: choose all
::Q2::[html]Which are <b>identifiers</b>? {~%33.3%Dates ~%33.3%Photos ~%33.4%Tattoos ~%-100%Weather}

// 3: true/false
::Q3::Deleting a post undoes a breach.{F#Screenshots survive.#Right.}

// 4: short answer
::Q4::Type the abbreviation for protected health information. {=PHI =P.H.I.}

// 5: missing word
::Q5::Always {=listen ~post} before you post.

// 6: matching (skipped)
::Q6::Match {=a -> b =c -> d}
"""


def test_round_trip_kinds_and_correct_flags():
    result, quiz = convert(FULL)
    assert [q.kind for q in quiz.questions] == ["single", "multiple", "truefalse", "text", "single"]
    assert [[c.correct for c in q.choices] for q in quiz.questions] == [
        [True, False],
        [True, True, True, False],
        [False, True],
        [],
        [True, False],
    ]
    assert quiz.questions[3].answers == ["PHI", "P.H.I."]
    assert [line for line, _ in messages(result.skipped)] == [19]
    assert [line for line, _ in messages(result.notes)] == [1, 7]
    assert [gift for _, gift in result.origins] == [4, 7, 10, 13, 16]
    # the whole output, under a `## Quiz` heading with settings, also parses cleanly
    problems: list[Problem] = []
    lines = ["pass: 80%", "", *result.markdown.split("\n")]
    whole = parse_quiz(lines, 1, Reporter("m.md", problems))
    assert problems == [] and len(whole.questions) == 5
    for start, _ in result.origins:
        assert result.markdown.split("\n")[start - 1].startswith("### ")
    assert result.gift_line_for(result.origins[2][0] + 1) == 10


def test_converted_module_loads_with_the_loader(tmp_path):
    from smresidency.catalog.loader import load_module

    result, _ = convert(FULL)
    path = tmp_path / "course" / "modules" / "01-quiz.md"
    path.parent.mkdir(parents=True)
    text = "---\ntitle: T\nminutes: 5\n---\nLesson.\n\n## Quiz\npass: 80%\n\n" + result.markdown
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    module = load_module(path, Reporter(path, problems))
    assert problems == []
    assert len(module.quiz.questions) == 5


def test_gift_module_does_not_import_flask():
    import subprocess
    import sys

    code = (
        "import sys, smresidency.catalog.gift\n"
        "assert 'flask' not in sys.modules, 'flask imported'\n"
        "assert 'smresidency.catalog.views' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
