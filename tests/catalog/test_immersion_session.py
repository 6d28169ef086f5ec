"""`session: HH:MM` on an immersion item: checked against the agenda, stored, kept on re-sync."""

import shutil
from pathlib import Path

from sqlalchemy import select

from smresidency.catalog.models import Course
from smresidency.catalog.sections import parse_immersion
from tests.catalog.test_sections import IMMERSION, assert_only, line_of, parse

COURSE = "social-media-residency"
AGENDA = "## Agenda\n\n08:30\u201309:00 Check in\n10:30-11:15 Posting\n\n"
WITH_AGENDA = IMMERSION.replace("## Check in for the day", AGENDA + "## Check in for the day")


def with_session(value: str, text: str = WITH_AGENDA) -> str:
    """The sample file with `session: <value>` on its second item (Publish a post)."""
    return text.replace("completed_by: learner", f"completed_by: learner\nsession: {value}")


def test_an_item_names_its_session_by_start_time_and_the_setting_is_optional():
    immersion, problems = parse(parse_immersion, with_session("10:30"))
    assert problems == []
    assert [(i.id, i.session) for i in immersion.items] == [
        ("check-in", ""),
        ("publish-post", "10:30"),  # YAML read it as the number 630: still the time
    ]
    quoted, problems = parse(parse_immersion, with_session('"08:30"'))
    assert problems == [] and quoted.items[1].session == "08:30"


def test_a_time_no_session_starts_at_is_refused_at_its_line():
    text = with_session("10:45")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "session: 10:45"), "`session: 10:45` is not the start")
    assert "(they start at 08:30, 10:30)" in problems[0].message


def test_an_end_time_or_a_title_is_not_a_start():
    for value in ("11:15", "Posting"):
        text = with_session(value)
        _, problems = parse(parse_immersion, text)
        assert_only(problems, line_of(text, f"session: {value}"), "is not the start of an agenda")


def test_a_session_needs_an_agenda():
    text = with_session("10:30", IMMERSION)
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "session: 10:30"), "the file has no `## Agenda`")


def test_a_session_that_is_not_a_time():
    text = with_session("[10:30]")
    _, problems = parse(parse_immersion, text)
    assert_only(problems, line_of(text, "session: [10:30]"), "`session` must be the start time")


def test_validate_prints_the_wrong_session_as_file_line(runner, write_course):
    root = write_course()
    path = root / "test-course" / "immersion.md"
    text = with_session("10:45")
    path.write_text(text)
    result = runner.invoke(args=["content", "validate", str(root)])
    assert result.exit_code == 1
    assert f"{path}:{line_of(text, 'session: 10:45')}: `session: 10:45` is not" in result.output


def test_the_real_course_places_every_required_item_in_a_session(synced_course, db):
    course = db.session.scalar(select(Course).where(Course.slug == COURSE))
    starts = {slot["start"] for slot in course.immersion["agenda"]}
    for item in course.immersion["items"]:
        assert item["session"] in starts if item["required"] else item["session"] == "", item


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    """course_content/ copied, with one edit to immersion.md."""
    root = tmp_path / "content"
    shutil.copytree(Path(__file__).parents[2] / "course_content", root)
    path = root / COURSE / "immersion.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return root


def test_moving_an_item_to_another_session_keeps_learners_ticks(
    app, db, client, login_as, synced_course, make_user, make_cohort, tmp_path
):
    from smresidency.catalog.sync import sync_content
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion.agenda import sections
    from smresidency.immersion.models import CheckOff
    from smresidency.immersion.services import items, set_checked

    faculty = make_user("instructor")
    cohort_id, learners = make_cohort(synced_course, faculty=[faculty], learners=1)
    enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == learners[0].id))
    set_checked(enrolment, "crisis-drill", True, faculty.id)
    db.session.commit()

    drill = "id: crisis-drill\nkind: hands-on\nrequired: true\ncompleted_by: faculty\n"
    sync_content(str(_copy_with(tmp_path, drill + "session: 15:00", drill + "session: 15:40")))
    db.session.commit()

    course = db.session.scalar(select(Course).where(Course.slug == COURSE))
    checklist = items(course)
    groups = {
        g.start: [checklist[i]["id"] for i in g.indexes]
        for g in sections(course.immersion, checklist)
    }
    assert groups["15:40"] == ["measurement-lab", "crisis-drill"]
    assert "15:00" not in groups  # the drill's own slot now has no item, so it is not shown
    ticked = db.session.scalars(select(CheckOff.item_id).where(CheckOff.checked)).all()
    assert ticked == ["crisis-drill"]
    login_as(user=faculty)
    roster = client.get(f"/cohorts/{cohort_id}/roster").get_data(as_text=True)
    assert "<time>15:40</time> Measurement tools exercise" in roster
    assert "<time>15:00</time> Crisis drill" not in roster  # its session now has no item


def test_a_wrong_session_shows_in_the_studio_preview(app, client, login_as, synced_course):
    from smresidency.authoring.documents import load_doc, text_hash
    from smresidency.catalog.queries import course_by_slug

    with app.app_context():
        doc = load_doc(course_by_slug(COURSE), "pages", "immersion")
        text = doc.text.replace("session: 16:10", "session: 16:15", 1)
        opened = text_hash(doc.text)
    login_as("instructor")
    url = f"/studio/{COURSE}/pages/immersion/preview"
    fragment = client.post(url, data={"opened": opened, "text": text}).get_data(as_text=True)
    assert f"immersion.md:{line_of(text, 'session: 16:15')}" in fragment
    assert "`session: 16:15` is not the start of an agenda session" in fragment
