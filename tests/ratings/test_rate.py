"""A learner rates themselves on the course's competencies, before and after the residency."""

import re

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.ratings.models import SelfRating
from tests.ratings.conftest import answers, rate_url, withdraw


def test_the_form_has_one_group_of_five_labelled_answers_per_statement(
    client, residency, login_as, competencies
):
    login_as(user=residency["learners"][0])
    page = client.get(rate_url("pre"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert len(competencies) == 8
    legends = re.findall(r"<legend>\d+\. (I can [^<]+)</legend>", html)
    assert len(legends) == 8 and legends[0].startswith("I can explain how social media")
    for c in competencies:
        radios = re.findall(rf'<input type="radio" id="(c-{c}-\d)" name="c-{c}"', html)
        assert radios == [f"c-{c}-{n}" for n in range(1, 6)]
        for radio in radios:
            assert f'<label for="{radio}">' in html
    assert "Not at all confident</label>" in html and "Very confident</label>" in html


def test_a_missing_answer_is_refused_announced_and_nothing_is_saved(
    client, residency, login_as, competencies, stored
):
    me = login_as(user=residency["learners"][0])
    data = answers(competencies, 3)
    del data["c-protect-privacy"]
    data["c-plan-strategy"] = "9"  # not on the scale
    page = client.post(rate_url("pre"), data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    alert = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S).group(1)
    assert "2 need an answer" in alert
    assert 'href="#c-protect-privacy-1"' in alert and 'href="#c-plan-strategy-1"' in alert
    assert 'aria-describedby="c-protect-privacy-error"' in html
    assert 'aria-describedby="c-explain-value-error"' not in html
    assert re.search(r'id="c-explain-value-3"[^>]* checked', html)  # the answers given stay
    assert stored(me.id) == {}


def test_an_earlier_answer_does_not_fill_a_statement_left_out_of_a_change(
    client, residency, login_as, competencies, stored
):
    me = login_as(user=residency["learners"][0])
    client.post(rate_url("pre"), data=answers(competencies, 2))
    data = answers(competencies, 4)
    del data["c-apply-policy"]
    assert client.post(rate_url("pre"), data=data).status_code == 422
    assert set(stored(me.id)["pre"].values()) == {2}


def test_pre_is_saved_confirmed_and_can_be_changed_before_the_day(
    client, residency, login_as, competencies, stored
):
    me = login_as(user=residency["learners"][0])
    values = (1, 2, 3, 4, 5, 1, 2, 3)
    saved = client.post(rate_url("pre"), data=answers(competencies, *values))
    assert saved.status_code == 302 and saved.headers["Location"].endswith(rate_url("pre"))
    page = client.get(rate_url("pre")).get_data(as_text=True)
    assert 'role="status"' in page and "Your ratings before the residency are saved." in page
    assert re.search(r'id="c-produce-long-form-5"[^>]* checked', page)  # shown for changing
    assert stored(me.id) == {"pre": dict(zip(competencies, values, strict=True))}

    assert client.post(rate_url("pre"), data=answers(competencies, 4)).status_code == 302
    assert stored(me.id) == {"pre": dict.fromkeys(competencies, 4)}


def test_pre_closes_when_the_day_starts(
    client, residency, login_as, competencies, stored, move_day
):
    me = login_as(user=residency["learners"][0])
    client.post(rate_url("pre"), data=answers(competencies, 2))
    move_day(residency["cohort_id"], 0)
    page = client.get(rate_url("pre"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "closed when your immersion day began" in html
    assert 'type="radio"' not in html
    assert "2 \u2013 Slightly confident" in html  # what they gave, read only
    refused = client.post(rate_url("pre"), data=answers(competencies, 5))
    assert refused.status_code == 409
    assert 'role="alert"' in refused.get_data(as_text=True)
    assert set(stored(me.id)["pre"].values()) == {2}


def test_pre_still_open_the_day_before(client, residency, login_as, competencies, move_day):
    login_as(user=residency["learners"][0])
    move_day(residency["cohort_id"], 1)
    assert client.post(rate_url("pre"), data=answers(competencies, 3)).status_code == 302


def test_post_waits_for_the_day(client, residency, login_as, competencies, stored, move_day):
    me = login_as(user=residency["learners"][0])
    move_day(residency["cohort_id"], 1)
    page = client.get(rate_url("post"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ratings after the residency open on your immersion day" in html
    assert 'type="radio"' not in html
    assert client.post(rate_url("post"), data=answers(competencies, 4)).status_code == 409
    assert stored(me.id) == {}


def test_post_on_the_day_ticks_the_self_rating_item_with_its_event(
    client, residency, login_as, competencies, stored, move_day, checklist
):
    me = login_as(user=residency["learners"][0])
    client.post(rate_url("pre"), data=answers(competencies, 2))
    move_day(residency["cohort_id"], 0)
    assert checklist(me.id) == (None, [])
    saved = client.post(rate_url("post"), data=answers(competencies, 4))
    assert saved.status_code == 302
    page = client.get(rate_url("post")).get_data(as_text=True)
    assert "“Rate yourself after the residency” is ticked on your immersion checklist" in page
    assert checklist(me.id) == (True, [("self-rated", me.id)])
    assert stored(me.id)["post"] == dict.fromkeys(competencies, 4)

    # changed the same day: saved again, and the ticked item gets no second event
    assert client.post(rate_url("post"), data=answers(competencies, 5)).status_code == 302
    assert set(stored(me.id)["post"].values()) == {5}
    assert checklist(me.id) == (True, [("self-rated", me.id)])


def test_post_can_be_given_after_the_day_but_not_changed_the_next_day(
    client, residency, login_as, competencies, stored, move_day, backdate
):
    me = login_as(user=residency["learners"][0])
    move_day(residency["cohort_id"], -3)
    assert client.post(rate_url("post"), data=answers(competencies, 3)).status_code == 302
    backdate(me.id, "post", 1)
    page = client.get(rate_url("post")).get_data(as_text=True)
    assert "they could be changed until the end of that day" in page
    assert 'type="radio"' not in page
    assert client.post(rate_url("post"), data=answers(competencies, 5)).status_code == 409
    assert set(stored(me.id)["post"].values()) == {3}


def test_pre_does_not_tick_the_checklist(client, residency, login_as, competencies, checklist):
    me = login_as(user=residency["learners"][0])
    client.post(rate_url("pre"), data=answers(competencies, 3))
    assert checklist(me.id) == (None, [])


def test_with_both_phases_the_learner_sees_their_own_change(
    client, residency, login_as, competencies, move_day
):
    login_as(user=residency["learners"][0])
    client.post(rate_url("pre"), data=answers(competencies, 2, 3, 3, 1, 5, 2, 2, 1))
    before = client.get(rate_url("pre")).get_data(as_text=True)
    assert "Your change" not in before
    move_day(residency["cohort_id"], 0)
    client.post(rate_url("post"), data=answers(competencies, 4, 3, 5, 2, 4, 2, 3, 4))
    html = client.get(rate_url("post")).get_data(as_text=True)
    table = re.search(r'<table class="data rating-change">(.*?)</table>', html, re.S).group(1)
    cells = [
        re.findall(r"<td>\s*([^<]*?)\s*</td>", row)
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)
    ]
    assert cells[0] == ["2", "4", "+2"]
    assert cells[1] == ["3", "3", "no change"]
    assert cells[4] == ["5", "4", "\u22121"]
    assert cells[7] == ["1", "4", "+3"]


def test_a_learner_only_ever_reads_and_writes_their_own_ratings(
    client, residency, login_as, competencies, stored, move_day
):
    me, other = residency["learners"]
    login_as(user=me)
    client.post(rate_url("pre"), data=answers(competencies, 1))
    login_as(user=other)
    html = client.get(rate_url("pre")).get_data(as_text=True)
    assert " checked" not in html  # nothing of mine shows up on their page
    client.post(rate_url("pre"), data=answers(competencies, 5))
    assert set(stored(me.id)["pre"].values()) == {1}
    assert set(stored(other.id)["pre"].values()) == {5}
    move_day(residency["cohort_id"], 0)
    client.post(rate_url("post"), data=answers(competencies, 4))
    assert "post" not in stored(me.id)  # their post did not land on my enrolment


def test_someone_not_in_a_cohort_gets_a_friendly_page_and_writes_nothing(
    app, client, synced_course, login_as, competencies
):
    login_as("learner")
    page = client.get(rate_url("pre"))
    assert page.status_code == 200
    assert "You are not in a cohort yet" in page.get_data(as_text=True)
    assert client.post(rate_url("pre"), data=answers(competencies, 3)).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(SelfRating.id)) is None


def test_a_withdrawn_learner_is_not_in_a_cohort(
    app, client, residency, login_as, competencies, stored
):
    me = residency["learners"][0]
    withdraw(app, me.id)
    login_as(user=me)
    assert "You are not in a cohort yet" in client.get(rate_url("pre")).get_data(as_text=True)
    assert client.post(rate_url("pre"), data=answers(competencies, 3)).status_code == 409
    assert stored(me.id) == {}


def test_unknown_phase_or_course_is_404(client, residency, login_as):
    login_as(user=residency["learners"][0])
    assert client.get(rate_url("during")).status_code == 404
    assert client.get(rate_url("pre", course="no-such-course")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, residency):
    page = client.get(rate_url("pre"))
    assert page.status_code == 302 and "/login?next=" in page.headers["Location"]


def test_the_page_reads_in_four_statements(
    client, residency, login_as, competencies, count_queries
):
    login_as(user=residency["learners"][0])
    client.post(rate_url("pre"), data=answers(competencies, 3))
    with count_queries() as statements:
        assert client.get(rate_url("pre")).status_code == 200
    # the session's user (with the settings version: a warm worker keeps the settings), then
    # the course, the enrolment with its cohort, the ratings
    assert len(statements) == 4
