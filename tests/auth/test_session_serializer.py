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
