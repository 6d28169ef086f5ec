"""immersion.md's `## Agenda`: `HH:MM-HH:MM Title` lines, in order, with file:line errors."""

from smresidency.catalog.sections import parse_immersion
from tests.catalog.test_sections import IMMERSION, assert_only, line_of, parse

AGENDA = "## Agenda\n\n09:00\u201309:30 Check in\n09:30-10:15 Demo chat\n\n"
WITH_AGENDA = IMMERSION.replace("## Check in for the day", AGENDA + "## Check in for the day")


def test_agenda_slots_are_parsed_and_are_not_checklist_items():
    immersion, problems = parse(parse_immersion, WITH_AGENDA)
    assert problems == []
    assert [(s.start, s.end, s.title) for s in immersion.agenda] == [
        ("09:00", "09:30", "Check in"),
        ("09:30", "10:15", "Demo chat"),
    ]
    assert immersion.agenda[0].line == line_of(WITH_AGENDA, "09:00\u201309:30")
    assert [i.id for i in immersion.items] == ["check-in", "publish-post"]


def test_a_course_without_an_agenda_still_loads():
    immersion, problems = parse(parse_immersion, IMMERSION)
    assert problems == [] and immersion.agenda == []


def test_a_line_that_is_not_a_slot():
    text = WITH_AGENDA.replace("09:30-10:15 Demo chat", "Demo chat after check-in")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "Demo chat after"), "agenda lines are `HH:MM-HH:MM Title`")


def test_a_time_that_does_not_exist():
    text = WITH_AGENDA.replace("09:30-10:15", "09:30-25:15")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "25:15"), "is not a time of day")


def test_a_slot_that_ends_before_it_starts():
    text = WITH_AGENDA.replace("09:30-10:15", "10:15-09:30")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "10:15-09:30"), "ends (09:30) before or when it starts")


def test_slots_that_overlap():
    text = WITH_AGENDA.replace("09:30-10:15", "09:15-10:15")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "09:15-10:15"), "before the one above ends at 09:30")


def test_an_empty_agenda():
    text = IMMERSION.replace("## Check in for the day", "## Agenda\n\n## Check in for the day")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "## Agenda"), "has no `HH:MM-HH:MM Title` lines")
