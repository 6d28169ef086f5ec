"""Issue 18: the timed agenda on both immersion pages, and the cohort's approved posting mode."""

import re

from smresidency.cohorts.models import Cohort
from smresidency.extensions import db
from tests.immersion.test_evidence import text_of
from tests.immersion.test_evidence import world as world  # the fixture

PAGE = "/courses/social-media-residency/immersion"


def agenda_rows(page: str) -> list[tuple[str, str, str]]:
    return re.findall(
        "<tr><td><time>(\\d\\d:\\d\\d)</time>\u2013<time>(\\d\\d:\\d\\d)</time></td>"
        r'<th scope="row">([^<]+)</th></tr>',
        page,
    )


def test_the_learner_sees_the_agenda_and_the_mode_the_coordinator_chose(
    app, client, login_as, world
):
    login_as(user=world["ann"])
    page = text_of(client.get(PAGE))
    rows = agenda_rows(page)
    assert rows[0] == ("08:30", "09:00", "Check in, devices and accounts")
    assert ("15:00", "15:40", "Crisis drill against your escalation plan") in rows
    assert rows[-1][2] == "Take down practice posts and rate yourself again"
    assert "<strong>Posting today:</strong> An organization&#39;s sandbox or test account" in page
    with app.app_context():
        db.session.get(Cohort, world["cohort_a"]).posting_mode = "draft"
        db.session.commit()
    page = text_of(client.get(PAGE))
    assert "<strong>Posting today:</strong> Drafts shown to faculty, never posted." in page


def test_faculty_see_the_same_agenda_on_the_roster(app, client, login_as, world):
    with app.app_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        cohort.posting_mode = "private"
        db.session.commit()
    login_as(user=world["fay"])
    page = text_of(client.get(f"/cohorts/{world['cohort_a']}/roster"))
    assert len(agenda_rows(page)) == 15
    assert "Private or unlisted posts that only the cohort and faculty can see" in page


def test_the_coordinator_chooses_the_mode_on_the_cohort_form(
    app, client, login_as, make_cohort, synced_course
):
    from sqlalchemy import select

    from tests.cohorts.test_cohort_admin import _form

    me = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, name="Mode cohort", coordinators=[me])
    with app.app_context():
        course = db.session.scalar(select(Cohort.course_id).where(Cohort.id == cohort_id))
    edit = f"/cohorts/{cohort_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert '<option selected value="sandbox">' in form  # the default for existing cohorts
    data = {**_form(course_id=str(course), name="Mode cohort"), "coordinators": [str(me.id)]}
    bad = client.post(edit, data={**data, "posting_mode": "public"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    assert client.post(edit, data={**data, "posting_mode": "private"}).status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).posting_mode == "private"
