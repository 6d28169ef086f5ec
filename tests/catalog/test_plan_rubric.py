"""plan.md: each criterion's levels described, and the acceptance rule, with file:line errors."""

from smresidency.catalog.sections import parse_plan
from tests.catalog.test_sections import PLAN, assert_only, line_of, parse

RULE = (
    "levels: [Beginning, Developing, Proficient, Exemplary]\n"
    "accept_minimum: Developing\n"
    "accept_required: {goals-measurable: Proficient}\n"
)
LEVELS = (
    "- Beginning: No number.\n- Developing: A number or a date.\n"
    "- Proficient: A number and a date.\n- Exemplary: Tied to a priority.\n"
)
DESCRIBED = PLAN.replace("levels: [Beginning, Developing, Proficient, Exemplary]\n", RULE).replace(
    "Each goal has a number and a date.\n", "Each goal has a number and a date.\n\n" + LEVELS
)


def test_levels_and_rule_are_parsed():
    plan, problems = parse(parse_plan, DESCRIBED)
    assert problems == []
    goals = plan.criteria[0]
    assert goals.level_text["Developing"] == "A number or a date."
    assert list(goals.level_text) == plan.levels
    assert goals.description == "Each goal has a number and a date."  # level lines moved out
    assert plan.criteria[1].level_text == {}  # describing levels is per criterion
    assert plan.accept_minimum == "Developing"
    assert plan.accept_required == {"goals-measurable": "Proficient"}


def test_a_criterion_that_describes_some_levels_must_describe_all():
    text = DESCRIBED.replace("- Exemplary: Tied to a priority.\n", "")
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "### Goals are measurable"), "but not: Exemplary")


def test_minimum_must_be_a_level():
    text = DESCRIBED.replace("accept_minimum: Developing", "accept_minimum: Good")
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "accept_minimum"), "must be one of the levels")


def test_required_must_name_a_criterion_and_a_level():
    text = DESCRIBED.replace("{goals-measurable: Proficient}", "{budget: Proficient}")
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "accept_required"), "criterion `budget`")
    text = DESCRIBED.replace("{goals-measurable: Proficient}", "{goals-measurable: Great}")
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "accept_required"), "level `Great`")


def test_a_plan_without_a_rule_accepts_any_scores():
    plan, problems = parse(parse_plan, PLAN)
    assert problems == [] and plan.accept_minimum == "" and plan.accept_required == {}
