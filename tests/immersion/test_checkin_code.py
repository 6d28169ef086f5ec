"""The short check-in code: typed instead of scanning, valid for the same two minutes as the QR,
and the projector mode that shows it large with nothing else on screen."""

import re

from smresidency.immersion import checkin
from tests.immersion.test_checkin import clock as clock  # the fixtures
from tests.immersion.test_checkin import day as day
from tests.immersion.test_checkin import events

LOOK_ALIKES = set("01ILO")


def shown_code(client, login_as, day, path: str = "") -> str:
    login_as(user=day["faculty"])
    page = client.get(f"/cohorts/{day['cohort']}/checkin{path}").get_data(as_text=True)
    found = re.search(r'class="(?:qr|projector)-short"[^>]*>([^<]+)<', page)
    return found.group(1)


def type_code(client, login_as, learner, code: str):
    login_as(user=learner)
    return client.post("/checkin", data={"code": code})


def test_the_screen_shows_six_characters_without_look_alikes(app, client, login_as, day, clock):
    code = shown_code(client, login_as, day)
    assert len(code) == 6 and not (set(code) & LOOK_ALIKES)
    page = client.get(f"/cohorts/{day['cohort']}/checkin").get_data(as_text=True)
    assert 'href="http://localhost/checkin"' in page  # the short page, not the 70-char token
    with app.test_request_context():
        codes = {checkin.short_code(day["cohort"], w) for w in range(200)}
    assert len(codes) > 190 and all(not (set(c) & LOOK_ALIKES) for c in codes)


def test_typing_the_code_leads_to_the_one_press_check_in(app, client, login_as, day, clock):
    code = shown_code(client, login_as, day)
    typed = f"{code[:3].lower()} {code[3:]}"  # as people type it
    response = type_code(client, login_as, day["learners"][0], typed)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/checkin/")
    confirm = client.post(response.headers["Location"], data={"confirm": "y"})
    assert "You are checked in" in confirm.get_data(as_text=True)
    assert [e[2] for e in events(app)] == ["checkin"]


def test_the_code_lasts_as_long_as_the_qr(app, client, login_as, day, clock):
    code = shown_code(client, login_as, day)
    clock.now += 60  # the next minute: still accepted
    assert type_code(client, login_as, day["learners"][0], code).status_code == 302
    clock.now += 60  # two minutes on: refused with the reason on the form
    refused = type_code(client, login_as, day["learners"][1], code)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "does not match the one on the screen" in text and 'aria-invalid="true"' in text
    assert events(app) == []


def test_another_cohorts_learner_and_a_wrong_code_are_refused(app, client, login_as, day, clock):
    code = shown_code(client, login_as, day)
    assert type_code(client, login_as, day["other_learner"], code).status_code == 422
    wrong = "".join("B" if ch != "B" else "C" for ch in code)
    assert type_code(client, login_as, day["learners"][0], wrong).status_code == 422
    short = type_code(client, login_as, day["learners"][0], "ABC")
    assert "Type the 6 characters" in short.get_data(as_text=True)
    assert type_code(client, login_as, day["learners"][0], "").status_code == 422
    assert events(app) == []


def test_the_form_needs_its_csrf_token(app, client, login_as, day, clock):
    app.config["WTF_CSRF_ENABLED"] = True
    code = shown_code(client, login_as, day)
    assert type_code(client, login_as, day["learners"][0], code).status_code == 400
    assert events(app) == []


def test_projector_mode_is_full_screen_with_the_same_code(app, client, login_as, day, clock):
    code = shown_code(client, login_as, day)
    page = client.get(f"/cohorts/{day['cohort']}/checkin/projector").get_data(as_text=True)
    assert shown_code(client, login_as, day, "/projector") == code
    assert "<nav" not in page and 'class="site-header"' not in page
    assert "style=" not in page and "<script>" not in page
    assert "<svg " in page and '<noscript><meta http-equiv="refresh" content="20">' in page
    assert 'data-refresh-seconds="20"' in page and "Leave projector mode" in page
    # a visible control stops the refreshing, without JavaScript: the same page, refresh=off
    stop = f"/cohorts/{day['cohort']}/checkin/projector?refresh=off"
    assert f'href="{stop}">Stop refreshing</a>' in page
    paused = client.get(stop).get_data(as_text=True)
    assert "http-equiv" not in paused and "data-refresh-seconds" not in paused
    assert "Refreshing stopped" in paused
    assert shown_code(client, login_as, day, "/projector") == code
    login_as(user=day["coordinator"])
    assert client.get(f"/cohorts/{day['cohort']}/checkin/projector").status_code == 403
