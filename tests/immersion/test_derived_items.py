"""Issue 19: the plan and the "after" rating are derived, never toggles; attendance by hand
needs a reason, kept on the check-off and in the history."""

from html import unescape

import pytest
from sqlalchemy import func, select

from smresidency.admin.models import AuditEntry
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff, CheckOffEvent
from smresidency.plans.models import StrategyPlan
from tests.immersion import test_roster as roster_tests
from tests.immersion.test_roster import cell_of, enrolment_of, roster_url, toggle_url

day = roster_tests.day
JSON = {"Accept": "application/json"}


def nothing_written(app) -> bool:
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(CheckOff))
        events = db.session.scalar(select(func.count()).select_from(CheckOffEvent))
    return rows == events == 0


@pytest.mark.parametrize(
    ("item_id", "says"),
    [
        ("strategy-plan", "ticked when faculty accept the learner's plan in the plan review"),
        ("self-rating-after", "ticked when the learner gives their own ratings"),
    ],
)
def test_a_post_to_tick_a_derived_item_is_refused_and_changes_nothing(
    app, client, login_as, day, item_id, says
):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    page = client.post(toggle_url(day, eid, item_id), data={"checked": "1"})
    assert page.status_code == 409
    text = unescape(page.get_data(as_text=True))
    assert "cannot be ticked by hand" in text and says in text and "Nothing was changed" in text
    answer = client.post(toggle_url(day, eid, item_id), data={"checked": "1"}, headers=JSON)
    assert answer.status_code == 409 and says in answer.get_json()["error"]
    assert client.post(toggle_url(day, eid, item_id), data={"checked": "0"}).status_code == 409
    assert nothing_written(app)


def test_admins_are_refused_too(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    login_as("admin")
    assert (
        client.post(toggle_url(day, eid, "strategy-plan"), data={"checked": "1"}).status_code == 409
    )
    assert nothing_written(app)


def test_derived_cells_show_their_state_and_link_to_what_sets_them(app, client, login_as, day):
    ann = day["learners"][1]  # Abe Adams sorts first; this is the second row
    eid = enrolment_of(app, ann)
    with app.app_context():
        db.session.add(StrategyPlan(enrolment_id=eid, state="submitted"))
        db.session.commit()
        plan_id = db.session.scalar(select(StrategyPlan.id))
    login_as(user=day["faculty"])
    html = client.get(roster_url(day)).get_data(as_text=True)
    assert html.count(">Plan awaiting review<") == 1 and html.count(">No plan yet<") == 2
    assert f'href="/cohorts/{day["cohort"]}/plans/{plan_id}"' in html
    assert html.count(f'href="/cohorts/{day["cohort"]}/plans"') >= 2  # no plan yet: the queue
    assert html.count(f'href="/cohorts/{day["cohort"]}/ratings"') >= 3
    assert f'action="{toggle_url(day, eid, "strategy-plan")}"' not in html
    assert f'action="{toggle_url(day, eid, "self-rating-after")}"' not in html


def test_a_plan_flag_ticked_by_hand_in_the_past_shows_the_plan_not_the_flag(
    app, client, login_as, day
):
    eid = enrolment_of(app, day["learners"][0])
    with app.app_context():  # as the old roster let faculty do
        db.session.add(CheckOff(enrolment_id=eid, item_id="strategy-plan", checked=True))
        db.session.commit()
    login_as(user=day["faculty"])
    html = client.get(roster_url(day)).get_data(as_text=True)
    assert "✓ No plan yet" not in html and html.count(">No plan yet<") == 3


def test_checking_in_by_hand_asks_for_a_reason(app, client, login_as, day):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    roster = client.get(roster_url(day)).get_data(as_text=True)
    by_hand = toggle_url(day, eid, "check-in")
    assert f'href="{by_hand}"' in roster and f'action="{by_hand}"' not in roster
    page = client.get(by_hand)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Check in Cleo Carter by hand" in text and "Why are you checking them in" in text

    refused = client.post(by_hand, data={"checked": "1", "reason": "   "})
    assert refused.status_code == 422
    assert "Say why you are checking this learner in by hand" in refused.get_data(as_text=True)
    too_long = client.post(by_hand, data={"checked": "1", "reason": "x" * 201})
    assert too_long.status_code == 422 and "under 200 characters" in too_long.get_data(as_text=True)
    as_json = client.post(by_hand, data={"checked": "1"}, headers=JSON)
    assert as_json.status_code == 422 and "Say why" in as_json.get_json()["error"]
    assert nothing_written(app)

    done = client.post(by_hand, data={"checked": "1", "reason": " checked in on paper "})
    assert done.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(CheckOff))
        event = db.session.scalar(select(CheckOffEvent))
    assert (row.checked, row.reason, row.updated_by_id) == (
        True,
        "checked in on paper",
        day["faculty"].id,
    )
    assert (event.action, event.detail, event.by_id) == (
        "tick",
        "checked in on paper",
        day["faculty"].id,
    )
    roster = client.get(roster_url(day)).get_data(as_text=True)
    cell = cell_of(roster, by_hand)  # ticked: now an untick form
    assert "✓ Ticked" in cell and "by Dr Faye Faculty" in cell and "(checked in on paper)" in cell
    history = client.get(f"{roster_url(day)}/{eid}").get_data(as_text=True)
    assert "(checked in on paper)" in history
    with app.app_context():  # and the site's audit log, as a staff override
        entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        "override",
        day["faculty"].id,
        day["learners"][0].id,
    )
    assert entry.detail == "Checked in by hand: checked in on paper"
    assert entry.after == {"enrolment": eid, "item": "check-in", "checked": True}

    assert client.post(by_hand, data={"checked": "0"}).status_code == 303  # untick: no reason
    with app.app_context():
        row = db.session.scalar(select(CheckOff).execution_options(populate_existing=True))
        assert (row.checked, row.reason) == (False, "")


def test_the_by_hand_page_is_only_for_attendance_and_the_cohorts_faculty(
    app, client, login_as, day
):
    eid = enrolment_of(app, day["learners"][0])
    login_as(user=day["faculty"])
    for item in ("strategy-plan", "welcome-briefing", "no-such-item"):
        assert client.get(toggle_url(day, eid, item)).status_code == 404
    login_as(user=day["other_faculty"])
    assert client.get(toggle_url(day, eid, "check-in")).status_code == 404
    login_as(user=day["coordinator"])
    assert client.get(toggle_url(day, eid, "check-in")).status_code == 403
