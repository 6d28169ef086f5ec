"""immersion.md (the immersion-day checklist) and plan.md (strategy plan and rubric)."""

from pathlib import Path

import pytest

from smresidency.catalog.loader import load_content
from smresidency.catalog.problems import Problem, Reporter
from smresidency.catalog.sections import parse_immersion, parse_plan

IMMERSION = """---
title: Immersion day
---
Bring a charged laptop.

## Check in for the day
id: check-in
kind: attendance
required: true
completed_by: faculty

Sign in at the desk.

## Publish a post
id: publish-post
kind: hands-on
required: false
completed_by: learner

Publish a post on the page faculty assign.
Submit its URL.
"""

PLAN = """---
title: Strategy plan
---
Write it for a real setting.

## Sections

### Goals
id: goals

Two or three measurable goals.

### Audiences
id: audiences

Who you want to reach.

## Rubric
levels: [Beginning, Developing, Proficient, Exemplary]

### Goals are measurable
id: goals-measurable
sections: [goals]

Each goal has a number and a date.

### Audiences fit
id: audience-fit
sections: [goals, audiences]

Audiences match the goals.
"""


def parse(parser, text: str) -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    result = parser(text, Reporter("course/file.md", problems))
    return result, sorted(problems)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in text"
    return hits[nth - 1]


def assert_only(problems: list[Problem], line: int, fragment: str) -> None:
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert problems[0].line == line, str(problems[0])
    assert fragment in problems[0].message, str(problems[0])


# --- immersion -------------------------------------------------------------------------


def test_immersion_parses_items():
    immersion, problems = parse(parse_immersion, IMMERSION)
    assert problems == []
    assert immersion.title == "Immersion day"
    assert immersion.intro == "Bring a charged laptop."
    assert [(i.id, i.title, i.kind, i.required, i.completed_by) for i in immersion.items] == [
        ("check-in", "Check in for the day", "attendance", True, "faculty"),
        ("publish-post", "Publish a post", "hands-on", False, "learner"),
    ]
    assert immersion.items[0].description == "Sign in at the desk."
    assert immersion.items[1].description == (
        "Publish a post on the page faculty assign.\nSubmit its URL."
    )
    assert immersion.items[1].line == line_of(IMMERSION, "## Publish a post")


def test_immersion_unknown_kind():
    text = IMMERSION.replace("kind: hands-on", "kind: party")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "kind: party"), "`kind` must be one of: attendance")


def test_immersion_bad_completed_by():
    text = IMMERSION.replace("completed_by: learner", "completed_by: robot")
    _, problems = parse(parse_immersion, text)
    assert_only(
        problems, line_of(text, "completed_by: robot"), "`completed_by` must be faculty or learner"
    )


def test_immersion_duplicate_id():
    text = IMMERSION.replace("id: publish-post", "id: check-in")
    _, problems = parse(parse_immersion, text)
    first = line_of(text, "## Check in")
    assert_only(
        problems,
        line_of(text, "## Publish a post"),
        f"duplicate item id `check-in` (also line {first})",
    )


@pytest.mark.parametrize("key", ["id", "kind", "required", "completed_by"])
def test_immersion_missing_required_setting(key):
    lines = IMMERSION.split("\n")
    drop = line_of(IMMERSION, f"{key}:", nth=2)  # in the second item
    text = "\n".join(lines[: drop - 1] + lines[drop:])
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "## Publish a post"), f"missing required key `{key}`")


def test_immersion_required_must_be_boolean():
    text = IMMERSION.replace("required: false", "required: maybe")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "required: maybe"), "`required` must be true or false")


def test_immersion_bad_id():
    text = IMMERSION.replace("id: publish-post", "id: Publish_Post")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "id: Publish_Post"), "must be lower-case words joined by -")


def test_immersion_items_are_level_two_headings():
    text = IMMERSION.replace("## Publish a post", "### Publish a post")
    immersion, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "### Publish a post"), "checklist items are `##` headings")
    assert [i.id for i in immersion.items] == ["check-in"]


def test_immersion_without_items():
    text = "---\ntitle: Immersion day\n---\nJust an intro.\n"
    _, problems = parse(parse_immersion, text)
    assert_only(problems, 4, "the checklist has no items")


def test_immersion_missing_title():
    text = IMMERSION.replace("title: Immersion day", "summary: x")
    _, problems = parse(parse_immersion, text)
    messages = [p.message for p in problems]
    assert "missing required key `title`" in messages
    assert any(m.startswith("unknown key `summary`") for m in messages)


# --- plan ------------------------------------------------------------------------------


def test_plan_parses_sections_and_rubric():
    plan, problems = parse(parse_plan, PLAN)
    assert problems == []
    assert plan.title == "Strategy plan"
    assert plan.intro == "Write it for a real setting."
    assert [(s.id, s.title, s.help) for s in plan.sections] == [
        ("goals", "Goals", "Two or three measurable goals."),
        ("audiences", "Audiences", "Who you want to reach."),
    ]
    assert plan.levels == ["Beginning", "Developing", "Proficient", "Exemplary"]
    assert [(c.id, c.title, c.sections) for c in plan.criteria] == [
        ("goals-measurable", "Goals are measurable", ["goals"]),
        ("audience-fit", "Audiences fit", ["goals", "audiences"]),
    ]
    assert plan.criteria[0].description == "Each goal has a number and a date."


def test_plan_criterion_naming_unknown_section():
    text = PLAN.replace("sections: [goals, audiences]", "sections: [goals, budget]")
    _, problems = parse(parse_plan, text)
    assert_only(
        problems,
        line_of(text, "sections: [goals, budget]"),
        "criterion names section `budget`, which does not exist",
    )


def test_plan_rubric_with_one_level():
    text = PLAN.replace("levels: [Beginning, Developing, Proficient, Exemplary]", "levels: [Pass]")
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "levels: [Pass]"), "a rubric needs at least two levels")


def test_plan_rubric_without_levels():
    text = PLAN.replace("levels: [Beginning, Developing, Proficient, Exemplary]\n", "")
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "## Rubric"), "missing required key `levels`")


def test_plan_with_no_sections():
    text = "---\ntitle: Plan\n---\nIntro.\n\n## Rubric\nlevels: [Low, High]\n"
    _, problems = parse(parse_plan, text)
    assert_only(problems, 4, "the plan has no sections")


def test_plan_duplicate_section_id():
    text = PLAN.replace("id: audiences", "id: goals")
    _, problems = parse(parse_plan, text)
    # the second criterion still names `audiences`, which no longer exists
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (line_of(text, "### Audiences"), "duplicate section id `goals`"),
        (
            line_of(text, "sections: [goals, audiences]"),
            "criterion names section `audiences`, which does not exist",
        ),
    ]


def test_plan_section_missing_id():
    text = PLAN.replace("### Audiences\nid: audiences\n", "### Audiences\n").replace(
        "sections: [goals, audiences]", "sections: [goals]"
    )
    _, problems = parse(parse_plan, text)
    assert_only(problems, line_of(text, "### Audiences"), "missing required key `id`")


def test_plan_unknown_part():
    text = PLAN.replace("## Rubric", "## Scoring")
    _, problems = parse(parse_plan, text)
    assert (
        line_of(text, "## Scoring"),
        "plan.md has two parts: `## Sections` and `## Rubric`",
    ) in [(p.line, p.message) for p in problems]


# --- through the loader ----------------------------------------------------------------


def test_loader_reports_section_problems_with_their_file(tmp_path: Path):
    course = tmp_path / "demo"
    (course / "modules").mkdir(parents=True)
    (course / "course.md").write_text("---\ntitle: Demo\n---\n", encoding="utf-8")
    (course / "modules" / "01-intro.md").write_text(
        "---\ntitle: Intro\nminutes: 5\n---\nText.\n", encoding="utf-8"
    )
    bad_immersion = IMMERSION.replace("kind: hands-on", "kind: party")
    (course / "immersion.md").write_text(bad_immersion, encoding="utf-8")
    (course / "plan.md").write_text(PLAN, encoding="utf-8")
    courses, problems = load_content(tmp_path)
    assert [(Path(p.path).name, p.line) for p in problems] == [
        ("immersion.md", line_of(bad_immersion, "kind: party"))
    ]
    assert [i.id for i in courses[0].immersion.items] == ["check-in", "publish-post"]
    assert [s.id for s in courses[0].plan.sections] == ["goals", "audiences"]
