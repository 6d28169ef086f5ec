"""The short check-in code cannot be guessed without limit: refused codes are counted per
learner and per address, and past the limit the page answers 429 with Retry-After."""

from tests.immersion.test_checkin import clock as clock  # the fixtures
from tests.immersion.test_checkin import day as day
from tests.immersion.test_checkin_code import shown_code, type_code

WRONG = "ZZZZZZ"  # six characters of the alphabet; not this minute's code (checked below)
HOME = {"REMOTE_ADDR": "10.0.0.5"}
ELSEWHERE = {"REMOTE_ADDR": "10.0.9.9"}


def _type(client, code, where=HOME):
    return client.post("/checkin", data={"code": code}, environ_base=where)


def test_a_learner_who_keeps_guessing_is_stopped_even_with_the_right_code(
    app, client, login_as, day, clock
):
    code = shown_code(client, login_as, day)
    assert code != WRONG
    learner, classmate = day["learners"][:2]
    login_as(user=learner)
    for _ in range(app.config["CHECKIN_MAX_REFUSED_PER_LEARNER"]):
        assert _type(client, WRONG).status_code == 422
    stopped = _type(client, code)
    assert stopped.status_code == 429
    assert 0 < int(stopped.headers["Retry-After"]) <= app.config["CHECKIN_WINDOW_SECONDS"]
    page = stopped.get_data(as_text=True)
    assert "Too many check-in codes were refused" in page
    assert "try again in 10 minutes" in page
    assert "ask the faculty at the desk" in page
    # from another address too: the count follows the learner
    assert _type(client, code, ELSEWHERE).status_code == 429
    # a classmate on the same network is not punished for it
    assert type_code(client, login_as, classmate, code).status_code == 302


def test_one_address_guessing_for_many_accounts_is_stopped(app, client, login_as, day, clock):
    app.config["CHECKIN_MAX_REFUSED_PER_ADDRESS"] = 3
    code = shown_code(client, login_as, day)
    first, second, third = day["learners"]
    login_as(user=first)
    assert _type(client, WRONG).status_code == 422
    assert _type(client, WRONG).status_code == 422
    login_as(user=second)
    assert _type(client, WRONG).status_code == 422
    login_as(user=third)
    assert _type(client, code).status_code == 429
    # the same learner from another address gets through with the right code
    assert _type(client, code, ELSEWHERE).status_code == 302


def test_typing_the_right_code_counts_nothing(app, client, login_as, day, clock):
    app.config["CHECKIN_MAX_REFUSED_PER_LEARNER"] = 1
    code = shown_code(client, login_as, day)
    login_as(user=day["learners"][0])
    for _ in range(3):
        assert _type(client, code).status_code == 302
    assert _type(client, WRONG).status_code == 422
    assert _type(client, code).status_code == 429
