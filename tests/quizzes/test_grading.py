"""Pure grading: drawing an attempt, reading the submitted form, scoring it. No app needed."""

import random
import re

import pytest
from werkzeug.datastructures import MultiDict

from smresidency.quizzes.grading import choice_values, draw, grade, parse_answers, value_of


def choice(text: str, correct: bool = False) -> dict:
    return {"text": text, "correct": correct, "feedback": ""}


def single(key: str, right: int = 0, n: int = 4) -> dict:
    return {
        "key": key,
        "kind": "single",
        "stem": f"Single {key}",
        "choices": [choice(f"{key} choice {i}", i == right) for i in range(n)],
        "answers": [],
    }


def multiple(key: str, right=(0, 2), n: int = 4) -> dict:
    return {
        "key": key,
        "kind": "multiple",
        "stem": f"Multiple {key} (choose all that apply)",
        "choices": [choice(f"{key} choice {i}", i in right) for i in range(n)],
        "answers": [],
    }


def truefalse(key: str, true_is_right: bool = True) -> dict:
    return {
        "key": key,
        "kind": "truefalse",
        "stem": f"True or false {key}",
        "choices": [choice("True", true_is_right), choice("False", not true_is_right)],
        "answers": [],
    }


def text_q(key: str, *answers: str) -> dict:
    return {
        "key": key,
        "kind": "text",
        "stem": f"Text {key}",
        "choices": [],
        "answers": list(answers),
    }


def quiz_of(*questions: dict, **settings) -> dict:
    return {
        "pass_percent": 80,
        "draw": None,
        "shuffle": True,
        **settings,
        "questions": list(questions),
    }


def drawn_item(key: str, order: list[int]) -> dict:
    """A drawn question whose form values are readable in tests (real ones are random)."""
    return {"key": key, "order": order, "tokens": [tok(key, i) for i in order]}


def tok(key: str, index: int) -> str:
    return f"{key}-value-of-{index}"


def identity(quiz: dict) -> list[dict]:
    """A draw of every question in author order with unshuffled choices."""
    return [drawn_item(q["key"], list(range(len(q["choices"])))) for q in quiz["questions"]]


# --- draw ------------------------------------------------------------------------------


def test_draw_takes_n_of_m_distinct_questions_in_author_order():
    bank = quiz_of(*(single(f"q{i}") for i in range(1, 13)), draw=5)
    author_order = [f"q{i}" for i in range(1, 13)]
    subsets = set()
    for seed in range(40):
        keys = [item["key"] for item in draw(bank, random.Random(seed))]
        assert len(keys) == 5
        assert len(set(keys)) == 5
        # author order, numerically: q10 comes after q9, not after q1
        assert keys == sorted(keys, key=author_order.index)
        subsets.add(tuple(keys))
    # it really draws: different seeds pick different questions, not always the first five
    assert len(subsets) > 10
    assert any("q12" in s for s in subsets)


def test_draw_without_a_draw_setting_or_with_draw_equal_to_bank_takes_everything():
    questions = [single(f"q{i}") for i in range(1, 11)]
    for settings in ({"draw": None}, {"draw": 10}):
        drawn = draw(quiz_of(*questions, **settings), random.Random(3))
        assert [d["key"] for d in drawn] == [f"q{i}" for i in range(1, 11)]


def test_draw_is_deterministic_for_a_seeded_random():
    bank = quiz_of(*(single(f"q{i}", n=5) for i in range(1, 9)), draw=4)
    assert draw(bank, random.Random(1234)) == draw(bank, random.Random(1234))


def test_draw_shuffles_choice_order_when_shuffle_is_true():
    bank = quiz_of(single("q1", n=5), multiple("q2", n=5), shuffle=True)
    orders = {key: set() for key in ("q1", "q2")}
    for seed in range(30):
        for item in draw(bank, random.Random(seed)):
            assert sorted(item["order"]) == [0, 1, 2, 3, 4]  # a permutation, nothing lost
            orders[item["key"]].add(tuple(item["order"]))
    for key, seen in orders.items():
        assert len(seen) > 5, key
        assert seen != {(0, 1, 2, 3, 4)}


def test_shuffle_is_the_default_when_the_setting_is_absent():
    bank = {"questions": [single("q1", n=5)]}
    seen = {tuple(draw(bank, random.Random(seed))[0]["order"]) for seed in range(20)}
    assert len(seen) > 1


def test_draw_keeps_choice_order_when_shuffle_is_false():
    bank = quiz_of(single("q1", n=5), multiple("q2", n=5), shuffle=False)
    for seed in range(20):
        for item in draw(bank, random.Random(seed)):
            assert item["order"] == [0, 1, 2, 3, 4]


def test_draw_never_shuffles_true_false():
    bank = quiz_of(truefalse("q1"), truefalse("q2", true_is_right=False), shuffle=True)
    for seed in range(30):
        for item in draw(bank, random.Random(seed)):
            assert item["order"] == [0, 1]


def test_draw_of_a_text_question_has_no_choice_order():
    drawn = draw(quiz_of(text_q("q1", "PHI")), random.Random(0))
    assert drawn == [{"key": "q1", "order": [], "tokens": []}]


def test_draw_gives_every_choice_a_random_value_that_is_not_its_index():
    bank = quiz_of(single("q1", n=5), multiple("q2", n=5), truefalse("q3"), shuffle=True)
    seen: dict[tuple[str, int], set[str]] = {}
    for seed in range(30):
        for item in draw(bank, random.Random(seed)):
            values = choice_values(item)
            assert sorted(values.values()) == sorted(item["order"])  # one value per choice
            assert len(item["tokens"]) == len(item["order"])
            for value, index in values.items():
                assert re.fullmatch(r"c[0-9a-f]{16}", value), value
                assert value_of(item, index) == value
                seen.setdefault((item["key"], index), set()).add(value)
    # a choice's value changes from attempt to attempt, true/false (never shuffled) included
    assert all(len(values) == 30 for values in seen.values())


# --- parse_answers ---------------------------------------------------------------------


PARSE_QUIZ = quiz_of(single("q1"), multiple("q2"), truefalse("q3"), text_q("q4", "PHI"))


def parse(form: MultiDict, quiz: dict = PARSE_QUIZ, drawn=None):
    return parse_answers(drawn if drawn is not None else identity(quiz), quiz, form)


def test_radio_keeps_one_value_even_if_several_are_sent():
    answers, _ = parse(MultiDict([("answer-q1", tok("q1", 2)), ("answer-q1", tok("q1", 1))]))
    assert answers["q1"] == [1]
    answers, _ = parse(MultiDict([("answer-q3", tok("q3", 1)), ("answer-q3", tok("q3", 0))]))
    assert answers["q3"] == [0]


def test_checkbox_keeps_every_value_sorted_and_deduplicated():
    values = [tok("q2", 3), tok("q2", 0), tok("q2", 3), tok("q2", 1)]
    answers, _ = parse(MultiDict([("answer-q2", v) for v in values]))
    assert answers["q2"] == [0, 1, 3]


def test_a_value_maps_to_the_choice_shown_not_to_the_position():
    drawn = [drawn_item("q1", [2, 0, 3, 1])]
    first_shown = drawn[0]["tokens"][0]
    answers, _ = parse(MultiDict([("answer-q1", first_shown)]), drawn=drawn)
    assert answers == {"q1": [2]}


@pytest.mark.parametrize(
    "junk",
    [
        "0",  # a source index: what the form sent before values were opaque
        "1",
        "3",
        "4",
        "99",
        "-1",
        "x",
        "1.0",
        "",
        " 1",
        "\uff11",
        "\u00b2",
        "9" * 5000,
        tok("q2", 0),  # another question's value
        tok("q1", 0).upper(),
    ],
)
def test_indices_other_questions_values_and_junk_are_ignored(junk):
    answers, missing = parse(MultiDict([("answer-q1", junk)]))
    assert "q1" not in answers
    assert "q1" in missing


def test_junk_is_dropped_but_valid_values_beside_it_are_kept():
    answers, _ = parse(
        MultiDict(
            [
                ("answer-q2", "7"),
                ("answer-q2", "abc"),
                ("answer-q2", tok("q2", 2)),
                ("answer-q2", "2"),
            ]
        )
    )
    assert answers["q2"] == [2]


def test_text_answer_is_trimmed_and_capped_at_500_characters():
    answers, _ = parse(MultiDict([("answer-q4", "   Protected health information \n")]))
    assert answers["q4"] == "Protected health information"
    answers, _ = parse(MultiDict([("answer-q4", "  " + "a" * 600)]))
    assert answers["q4"] == "a" * 500


def test_blank_text_counts_as_unanswered():
    answers, missing = parse(MultiDict([("answer-q4", "   \t ")]))
    assert "q4" not in answers
    assert "q4" in missing


def test_unanswered_keys_are_listed_in_the_drawn_order():
    answers, missing = parse(MultiDict([("answer-q2", tok("q2", 1))]))
    assert answers == {"q2": [1]}
    assert missing == ["q1", "q3", "q4"]


def test_everything_answered_lists_nothing_missing():
    form = MultiDict(
        [
            ("answer-q1", tok("q1", 0)),
            ("answer-q2", tok("q2", 0)),
            ("answer-q2", tok("q2", 2)),
            ("answer-q3", tok("q3", 1)),
            ("answer-q4", "phi"),
        ]
    )
    answers, missing = parse(form)
    assert answers == {"q1": [0], "q2": [0, 2], "q3": [1], "q4": "phi"}
    assert missing == []


def test_only_drawn_questions_are_read_or_required():
    drawn = [drawn_item("q2", [3, 2, 1, 0]), drawn_item("q4", [])]
    form = MultiDict([("answer-q1", tok("q1", 0)), ("answer-q2", tok("q2", 1)), ("answer-q4", "x")])
    answers, missing = parse(form, drawn=drawn)
    assert answers == {"q2": [1], "q4": "x"}  # q1 was not drawn: its value is ignored
    assert missing == []


# --- grade -----------------------------------------------------------------------------


def graded(quiz: dict, answers: dict):
    return grade(quiz, identity(quiz), answers)


def verdicts(results) -> dict:
    return {r.key: r.correct for r in results}


def test_single_choice_right_and_wrong():
    quiz = quiz_of(single("q1", right=2))
    assert verdicts(graded(quiz, {"q1": [2]})[2]) == {"q1": True}
    assert verdicts(graded(quiz, {"q1": [0]})[2]) == {"q1": False}


def test_multiple_needs_exactly_the_correct_set():
    quiz = quiz_of(multiple("q1", right=(0, 2)))
    assert verdicts(graded(quiz, {"q1": [0, 2]})[2]) == {"q1": True}
    assert verdicts(graded(quiz, {"q1": [2, 0]})[2]) == {"q1": True}  # order does not matter


def test_multiple_with_a_wrong_extra_tick_earns_nothing():
    quiz = quiz_of(multiple("q1", right=(0, 2)))
    score, passed, results = graded(quiz, {"q1": [0, 1, 2]})
    assert verdicts(results) == {"q1": False}
    assert (score, passed) == (0.0, False)


def test_multiple_missing_one_correct_tick_earns_nothing():
    quiz = quiz_of(multiple("q1", right=(0, 2)))
    score, _, results = graded(quiz, {"q1": [0]})
    assert verdicts(results) == {"q1": False}
    assert score == 0.0


def test_true_false():
    quiz = quiz_of(truefalse("q1", true_is_right=False))
    assert verdicts(graded(quiz, {"q1": [1]})[2]) == {"q1": True}
    assert verdicts(graded(quiz, {"q1": [0]})[2]) == {"q1": False}


@pytest.mark.parametrize(
    "given",
    [
        "Protected health information",
        "protected HEALTH information",
        "  protected   health\tinformation ",
        "phi",
        "PHI",
    ],
)
def test_text_answer_ignores_case_and_spacing_and_accepts_any_listed_answer(given):
    quiz = quiz_of(text_q("q1", "Protected health information", "PHI"))
    score, passed, results = graded(quiz, {"q1": given})
    assert verdicts(results) == {"q1": True}
    assert (score, passed) == (100.0, True)
    assert results[0].text == given


@pytest.mark.parametrize(
    "given", ["Protected information", "P H I", "", "protected health informations"]
)
def test_wrong_text_answer_is_wrong(given):
    quiz = quiz_of(text_q("q1", "Protected health information", "PHI"))
    assert verdicts(graded(quiz, {"q1": given})[2]) == {"q1": False}


def test_missing_or_mistyped_answers_are_wrong_not_errors():
    quiz = quiz_of(single("q1"), text_q("q2", "PHI"))
    score, _, results = graded(quiz, {"q1": "0", "q2": [0]})
    assert verdicts(results) == {"q1": False, "q2": False}
    assert graded(quiz, {})[0] == score == 0.0


def test_results_carry_what_was_chosen():
    quiz = quiz_of(multiple("q1"), text_q("q2", "PHI"))
    _, _, results = graded(quiz, {"q1": [2, 1], "q2": "phi"})
    assert results[0].chosen == [1, 2]
    assert results[1].text == "phi"


def test_score_counts_only_the_drawn_questions():
    quiz = quiz_of(single("q1"), single("q2"), single("q3"), single("q4"), pass_percent=50)
    drawn = [{"key": "q2", "order": [0, 1, 2, 3]}, {"key": "q4", "order": [3, 2, 1, 0]}]
    score, passed, results = grade(quiz, drawn, {"q2": [0], "q4": [1]})
    assert [r.key for r in results] == ["q2", "q4"]
    assert (score, passed) == (50.0, True)


@pytest.mark.parametrize(
    ("right", "total", "expected"),
    [
        (1, 3, 33.3),
        (2, 3, 66.7),
        (1, 6, 16.7),
        (5, 6, 83.3),
        (1, 7, 14.3),
        (0, 3, 0.0),
        (3, 3, 100.0),
    ],
)
def test_score_is_a_percentage_rounded_to_one_decimal(right, total, expected):
    quiz = quiz_of(*(single(f"q{i}") for i in range(1, total + 1)))
    answers = {f"q{i}": [0] if i <= right else [1] for i in range(1, total + 1)}
    assert graded(quiz, answers)[0] == expected


def test_score_equal_to_the_pass_mark_passes():
    quiz = quiz_of(*(single(f"q{i}") for i in range(1, 5)), pass_percent=75)
    three_right = {"q1": [0], "q2": [0], "q3": [0], "q4": [1]}
    assert graded(quiz, three_right)[:2] == (75.0, True)
    two_right = {"q1": [0], "q2": [0], "q3": [1], "q4": [1]}
    assert graded(quiz, two_right)[:2] == (50.0, False)


def test_just_under_the_pass_mark_fails():
    quiz = quiz_of(single("q1"), single("q2"), single("q3"), pass_percent=67)
    assert graded(quiz, {"q1": [0], "q2": [0], "q3": [1]})[:2] == (66.7, False)


def test_pass_mark_defaults_to_80_percent():
    quiz = {"questions": [single(f"q{i}") for i in range(1, 6)]}
    four = {f"q{i}": [0] for i in range(1, 5)} | {"q5": [1]}
    three = {f"q{i}": [0] for i in range(1, 4)} | {"q4": [1], "q5": [1]}
    assert graded(quiz, four)[:2] == (80.0, True)
    assert graded(quiz, three)[:2] == (60.0, False)


def test_rounding_for_display_never_turns_a_fail_into_a_pass():
    questions = [single(f"q{i}", right=0, n=2) for i in range(1, 40)]
    quiz = quiz_of(*questions, pass_percent=59)
    drawn = [{"key": q["key"], "order": [0, 1]} for q in questions]
    answers = {q["key"]: [0] if i < 23 else [1] for i, q in enumerate(questions)}
    score, passed, _ = grade(quiz, drawn, answers)
    assert score == 59.0  # 23 of 39 is 58.97 %, shown rounded
    assert passed is False
