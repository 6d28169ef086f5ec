"""The faculty roster: who may see it, who may tick, and what a tick looks like afterwards."""

import re

import pytest
from sqlalchemy import func, select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff, CheckOffEvent
from smresidency.immersion.roster import when

ITEM = "welcome-briefing"  # required, ticked by faculty
ITEM_TITLE = "Welcome, ground rules and policy briefing"


@pytest.fixture
def day(synced_course, make_user, make_cohort):
    """A cohort with faculty, a coordinator and three learners; and a second cohort."""
    faculty = make_user("instructor", name="Dr Faye Faculty")
    coordinator = make_user("coordinator")
    learners = [make_user("learner", name=n) for n in ("Cleo Carter", "Abe Adams", "Bea Brown")]
    cohort_id, _ = make_cohort(
        synced_course, faculty=[faculty], coordinators=[coordinator], learners=learners
    )
    other_faculty = make_user("instructor", name="Dr Otto Other")
    other_id, others = make_cohort(synced_course, faculty=[other_faculty], learners=1)
    return {
        "cohort": cohort_id,
        "faculty": faculty,
        "coordinator": coordinator,
        "learners": learners,
        "other_cohort": other_id,
        "other_faculty": other_faculty,
        "other_learner": others[0],
    }


def enrolment_of(app, user) -> int:
    with app.app_context():
        return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id))


def roster_url(day) -> str:
    return f"/cohorts/{day['cohort']}/roster"


def toggle_url(day, enrolment_id: int, item_id: str = ITEM) -> str:
    return f"/cohorts/{day['cohort']}/roster/{enrolment_id}/{item_id}"


def cell_of(html: str, action: str) -> str:
    """The roster cell (one learner, one item) holding the form that posts to `action`."""
    start = html.rindex('<li class="roster-cell', 0, html.index(f'action="{action}"'))
    return html[start : html.index("</li>", start)]


def test_faculty_see_every_active_learner_and_item(app, client, login_as, day):
    login_as(user=day["faculty"])
    html = client.get(roster_url(day)).get_data(as_text=True)
    names = re.findall(r">(\w+ \w+)</a></h3>\s*<span class=\"meta roster-done\">", html)
    assert names == ["Abe Adams", "Bea Brown", "Cleo Carter"]  # sorted by name
    assert "Welcome, ground rules and policy briefing" in html
    assert "Create a Pinterest pin and board" in html
    assert html.count(">Optional<") == 2 and html.count(">Required<") == 14
    assert "Faculty tick" in html and "Learner submits" in html
    # 16 items: 13 toggles, attendance by hand (with a reason), plan and rating derived
    assert html.count('<button type="submit" class="tick-button"') == 3 * 13
    assert html.count(">Check in by hand<") == 3
    assert html.count(">No plan yet<") == 3 and html.count(">Not rated yet<") == 3
    assert html.count("Not yet") == 3 * 14
    assert "Dr Otto" not in html and day["other_learner"].name not in html
    assert 'src="/static/js/roster.js"' in html and "style=" not in html


def test_withdrawn_learners_are_not_on_the_roster(app, client, login_as, day):
    with app.app_context():
        e = db.session.scalar(select(Enrolment).where(Enrolment.user_id == day["learners"][0].id))
        e.status = "withdrawn"
        db.session.commit()
    login_as(user=day["faculty"])
    html = client.get(roster_url(day)).get_data(as_text=True)
    assert "Cleo Carter" not in html and "Abe Adams" in html


def test_ticking_redirects_to_the_row_and_shows_who_and_when(app, client, login_as, day):
    login_as(user=day["faculty"])
    eid = enrolment_of(app, day["learners"][1])
    response = client.post(toggle_url(day, eid), data={"checked": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{roster_url(day)}#learner-{eid}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{ITEM_TITLE}: ticked for Abe Adams." in page
    with app.app_context():
        row = db.session.scalar(select(CheckOff))
        from smresidency.cohorts.models import Cohort

        stamp = when(row.updated_at, db.session.get(Cohort, day["cohort"]))
        assert row.checked and row.updated_by_id == day["faculty"].id
    cell = cell_of(page, toggle_url(day, eid))
    assert "✓ Ticked" in cell and f"by Dr Faye Faculty, {stamp}" in cell
    assert re.fullmatch(r"\d\d:\d\d", stamp)
    assert 'name="checked" value="0"' in cell  # pressing again unticks


def test_the_form_sends_the_desired_state_so_presses_converge(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    client.post(toggle_url(day, eid), data={"checked": "1"})
    client.post(toggle_url(day, eid), data={"checked": "1"})  # a colleague's simultaneous press
    with app.app_context():
        assert db.session.scalar(select(CheckOff.checked)) is True
        assert db.session.scalar(select(func.count()).select_from(CheckOffEvent)) == 1
    client.post(toggle_url(day, eid), data={"checked": "0"})
    client.post(toggle_url(day, eid), data={"checked": "0"})
    with app.app_context():
        assert db.session.scalar(select(CheckOff.checked)) is False
        actions = db.session.scalars(select(CheckOffEvent.action).order_by(CheckOffEvent.id))
        assert list(actions) == ["tick", "untick"]


def test_untick_keeps_the_history(app, client, login_as, make_user, day):
    eid = enrolment_of(app, day["learners"][2])
    colleague = make_user("instructor", name="Dr Cal Colleague")
    with app.app_context():
        from smresidency.cohorts.models import CohortStaff

        db.session.add(CohortStaff(cohort_id=day["cohort"], user_id=colleague.id, role="faculty"))
        db.session.commit()
    login_as(user=day["faculty"])
    client.post(toggle_url(day, eid), data={"checked": "1"})
    login_as(user=colleague)
    client.post(toggle_url(day, eid), data={"checked": "0"})
    roster = client.get(roster_url(day)).get_data(as_text=True)
    assert "Not yet" in cell_of(roster, toggle_url(day, eid))
    assert "by Dr" not in cell_of(roster, toggle_url(day, eid))
    history = client.get(f"{roster_url(day)}/{eid}").get_data(as_text=True)
    rows = re.findall(
        r"<tr>\s*<td>([^<]+)</td>\s*<th scope=\"row\">([^<]+)</th>\s*<td>(\w+)", history
    )
    assert [(item, action) for _, item, action in rows] == [
        (ITEM_TITLE, "Ticked"),
        (ITEM_TITLE, "Unticked"),
    ]
    assert history.index("Dr Faye Faculty") < history.index("Dr Cal Colleague")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckOff)) == 1


def test_with_script_the_answer_is_json(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    response = client.post(
        toggle_url(day, eid), data={"checked": "1"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["checked"] is True and data["by"] == "Dr Faye Faculty"
    assert data["item_id"] == ITEM and data["enrolment_id"] == eid
    assert data["at"] and re.fullmatch(r"\d\d:\d\d", data["when"])
    assert data["message"] == f"{ITEM_TITLE}: ticked for Cleo Carter."
    untick = client.post(
        toggle_url(day, eid), data={"checked": "0"}, headers={"Accept": "application/json"}
    ).get_json()
    assert untick["checked"] is False


def test_a_bad_value_changes_nothing(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    response = client.post(toggle_url(day, eid), data={"checked": "yes"})
    assert response.status_code == 303
    assert "not understood" in client.get(response.headers["Location"]).get_data(as_text=True)
    json = client.post(toggle_url(day, eid), data={}, headers={"Accept": "application/json"})
    assert json.status_code == 400 and "error" in json.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckOff)) == 0


@pytest.mark.parametrize("who", ["coordinator", "learner", "other_faculty", "anonymous"])
def test_only_the_cohorts_faculty_may_tick(app, client, login_as, day, who):
    eid = enrolment_of(app, day["learners"][0])
    if who == "learner":
        login_as(user=day["learners"][0])  # even their own item
    elif who != "anonymous":
        login_as(user=day[who])
    response = client.post(toggle_url(day, eid), data={"checked": "1"})
    expected = {"coordinator": 403, "learner": 403, "other_faculty": 404}.get(who, 302)
    assert response.status_code == expected
    if who == "anonymous":
        assert "/login?next=" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckOff)) == 0


def test_ticks_name_an_active_enrolment_of_this_cohort_and_a_real_item(app, client, login_as, day):
    login_as(user=day["faculty"])
    mine = enrolment_of(app, day["learners"][0])
    theirs = enrolment_of(app, day["other_learner"])
    assert client.post(toggle_url(day, theirs), data={"checked": "1"}).status_code == 404
    assert (
        client.post(toggle_url(day, mine, "no-such-item"), data={"checked": "1"}).status_code == 404
    )
    with app.app_context():
        db.session.get(Enrolment, mine).status = "withdrawn"
        db.session.commit()
    assert client.post(toggle_url(day, mine), data={"checked": "1"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckOff)) == 0


@pytest.mark.parametrize(
    "who, status",
    [
        ("faculty", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("other_faculty", 404),
        ("other_coordinator", 404),
        ("instructor", 404),
        ("learner", 403),
    ],
)
def test_who_sees_the_roster_and_its_history(app, client, login_as, make_user, day, who, status):
    if who in ("admin", "instructor"):
        login_as(who)
    elif who == "other_coordinator":
        login_as("coordinator")
    elif who == "learner":
        login_as(user=day["learners"][0])
    else:
        login_as(user=day[who])
    eid = enrolment_of(app, day["learners"][0])
    assert client.get(roster_url(day)).status_code == status
    assert client.get(f"{roster_url(day)}/{eid}").status_code == status


def test_coordinators_see_the_roster_read_only(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    client.post(toggle_url(day, eid), data={"checked": "1"})
    login_as(user=day["coordinator"])
    html = client.get(roster_url(day)).get_data(as_text=True)
    assert '<form method="post" class="tick-form"' not in html
    assert "/roster/" in html  # the history links are there
    assert "✓ Ticked" in html and "by Dr Faye Faculty" in html
    assert "Show the QR check-in code" not in html


def test_admins_may_tick(app, client, login_as, day):
    login_as("admin")
    eid = enrolment_of(app, day["learners"][0])
    # every item but the unticked attendance and the two derived items is a toggle
    assert client.get(roster_url(day)).get_data(as_text=True).count("tick-form") == 3 * 13
    assert client.post(toggle_url(day, eid), data={"checked": "1"}).status_code == 303


def test_history_of_another_cohorts_learner_is_hidden(app, client, login_as, day):
    login_as(user=day["faculty"])
    theirs = enrolment_of(app, day["other_learner"])
    assert client.get(f"{roster_url(day)}/{theirs}").status_code == 404


def test_learner_evidence_is_shown_not_reviewed(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    with app.app_context():
        db.session.add_all(
            [
                CheckOff(
                    enrolment_id=eid,
                    item_id="facebook-post",
                    evidence_url="https://facebook.example/posts/1",
                    evidence_state="submitted",
                ),
                CheckOff(
                    enrolment_id=eid,
                    item_id="live-chat",
                    evidence_url="javascript:alert(1)",
                    evidence_state="returned",
                ),
            ]
        )
        db.session.commit()
    login_as(user=day["faculty"])
    html = client.get(roster_url(day)).get_data(as_text=True)
    facebook = cell_of(html, toggle_url(day, eid, "facebook-post"))
    assert 'href="https://facebook.example/posts/1"' in facebook
    assert "awaiting review" in facebook and "Not yet" in facebook
    chat = cell_of(html, toggle_url(day, eid, "live-chat"))
    assert "Returned for changes" in chat and "javascript:" not in chat
    blog = cell_of(html, toggle_url(day, eid, "blog-post"))
    assert "No link yet" in blog
    briefing = cell_of(html, toggle_url(day, eid, "welcome-briefing"))
    assert "No link yet" not in briefing  # ticked by faculty, no evidence to show


def test_empty_cohort_says_so(app, client, login_as, make_user, make_cohort, synced_course):
    faculty = make_user("instructor")
    cohort_id, _ = make_cohort(synced_course, faculty=[faculty])
    login_as(user=faculty)
    html = client.get(f"/cohorts/{cohort_id}/roster").get_data(as_text=True)
    assert "Nobody is enrolled in this cohort yet" in html
    assert 'class="roster-list"' not in html
    assert "<caption>Agenda for the day</caption>" in html  # the day is planned all the same


def test_one_session_of_the_day_at_a_time(app, client, login_as, day):
    """On a tablet faculty may narrow the rows to the session under way; ticks come back to it."""
    eid = enrolment_of(app, day["learners"][1])
    login_as(user=day["faculty"])
    whole = client.get(roster_url(day)).get_data(as_text=True)
    assert 'aria-current="page">Whole day</a>' in whole
    link = re.search(r'href="([^"]+\?session=(\d+))">10:30 Facebook and Instagram', whole)
    assert link is not None
    html = client.get(link.group(1)).get_data(as_text=True)
    assert 'aria-current="page">10:30 Facebook and Instagram' in html
    # three learners, each with the session's two items only; the day's count stays whole
    assert html.count('<button type="submit" class="tick-button"') == 3 * 2
    assert "Publish a Facebook page post" in html and html.count("0 of 16 done") == 3
    assert f'name="session" value="{link.group(2)}"' in html
    response = client.post(
        toggle_url(day, eid, "facebook-post"), data={"checked": "1", "session": link.group(2)}
    )
    assert response.headers["Location"].endswith(
        f"{roster_url(day)}?session={link.group(2)}#learner-{eid}"
    )
    for ignored in ("99", "0", "abc", "-1", "1" * 20):
        page = client.get(f"{roster_url(day)}?session={ignored}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert text.count('<button type="submit" class="tick-button"') == 3 * 13
