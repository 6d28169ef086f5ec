"""The session cookie's signing serializer is made once per key set, not on every request."""

import flask.sessions


def test_requests_reuse_the_signing_serializer(app, client, login_as, monkeypatch):
    login_as("learner")
    assert client.get("/account").status_code == 200
    made = []
    real = flask.sessions.URLSafeTimedSerializer

    def counting(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(flask.sessions, "URLSafeTimedSerializer", counting)
    for _ in range(3):
        assert client.get("/account").status_code == 200
    assert made == []
    # a new key is taken at once: the old cookie no longer signs anyone in
    app.secret_key = "another secret key, at least thirty-two characters"
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert len(made) == 1


def _checks(monkeypatch) -> list:
    """Count signature checks of session cookies."""
    checked = []
    real = flask.sessions.URLSafeTimedSerializer.loads

    def counting(self, *args, **kwargs):
        checked.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(flask.sessions.URLSafeTimedSerializer, "loads", counting)
    return checked


def test_a_checked_cookie_is_not_checked_again_until_it_expires(app, client, login_as, monkeypatch):
    from smresidency.auth import session as sessions

    login_as("learner")
    for _ in range(2):  # the first page adds the CSRF token: the cookie changes once
        assert client.get("/account").status_code == 200
    checked = _checks(monkeypatch)
    for _ in range(3):
        assert client.get("/account").status_code == 200
    assert checked == []
    # past the session's lifetime the kept cookie is refused like an expired signature
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = sessions.time.time() + lifetime + 5
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_changed_cookie_is_checked_and_refused(app, client, login_as):
    login_as("learner")
    assert client.get("/account").status_code == 200
    name = app.config["SESSION_COOKIE_NAME"]
    value = client.get_cookie(name).value
    client.set_cookie(name, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.set_cookie(name, value)
    assert client.get("/account").status_code == 200


def test_a_kept_plain_session_is_not_parsed_again_and_each_request_gets_its_own_copy(
    app, client, login_as, monkeypatch
):
    from flask import session

    from smresidency.auth import session as sessions

    login_as("learner")
    for _ in range(2):  # the first page adds the CSRF token: the cookie changes once
        assert client.get("/account").status_code == 200
    parsed = []
    tagged = type(sessions.CookieSessions.serializer)
    real = tagged.loads
    monkeypatch.setattr(tagged, "loads", lambda self, s: parsed.append(s) or real(self, s))
    for _ in range(3):
        assert client.get("/account").status_code == 200
    assert parsed == []  # user token, CSRF token and flags: kept as values, not as JSON
    with client:  # a request that changes its session does not change what is kept
        client.get("/account")
        session["extra"] = "only this request"
    with client:
        client.get("/account")
        assert "extra" not in session


def test_a_session_holding_a_flash_list_is_kept_as_json_and_shows_its_flash_once(
    app, client, login_as
):
    login_as("learner")
    assert client.get("/account").status_code == 200
    with client.session_transaction() as stored:
        stored["_flashes"] = [("info", "Kept message")]
    assert "Kept message" in client.get("/account").get_data(as_text=True)
    assert "Kept message" not in client.get("/account").get_data(as_text=True)


def test_session_protection_still_tells_another_browser_and_hashes_each_pair_once(
    app, client, login_as, monkeypatch
):
    from smresidency.auth import session as sessions

    login_as("learner")
    client.get("/account", headers={"User-Agent": "Browser A"})
    hashed = []
    real = sessions._create_identifier
    monkeypatch.setattr(sessions, "_create_identifier", lambda: hashed.append(1) or real())
    sessions._IDENTIFIERS.clear()
    for _ in range(3):
        client.get("/account", headers={"User-Agent": "Browser A"})
    assert len(hashed) == 1  # the same browser and address: hashed once
    with app.test_request_context(
        headers={"User-Agent": "Browser A"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ):
        browser_a = sessions.session_identifier()
    with client.session_transaction() as stored:  # a fresh session made in browser A
        stored["_id"], stored["_fresh"] = browser_a, True
    client.get("/account", headers={"User-Agent": "Browser A"})
    with client.session_transaction() as same:
        assert same["_fresh"] is True  # the kept hash matches the one Flask-Login made
    client.get("/account", headers={"User-Agent": "Browser B"})  # the cookie elsewhere
    assert len(hashed) == 2
    with client.session_transaction() as after:
        assert after["_fresh"] is False  # Flask-Login's basic protection marks it not fresh
