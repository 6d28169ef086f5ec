"""Changing the e-mail address: the new address confirms, the old one is told, links expire."""

import re

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.conftest import PASSWORD


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def _email(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_new_address_confirms_and_old_address_is_told(app, client, login_as):
    user = login_as("learner")
    old = user.email
    response = client.post(
        "/account/email", data={"new_email": " New@Example.test ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _email(app, user.id) == old  # nothing changes before the link is opened
    confirm, notice = _outbox(app)
    assert confirm.recipient == "new@example.test" and notice.recipient == old
    assert "new@example.test" in notice.body and "change your password" in notice.body
    link = re.search(r"http://localhost(/account/email/confirm/[\w.-]+)", confirm.body).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "new@example.test" in _text(page)
    assert _email(app, user.id) == old  # a GET (e.g. a mail scanner) changes nothing
    assert client.post(link).status_code == 302
    assert _email(app, user.id) == "new@example.test"
    # the link is spent: the old address it carries no longer matches
    assert client.get(link).status_code == 404


def test_bad_requests_re_render_with_field_errors_and_send_nothing(
    app, client, login_as, make_user
):
    taken = make_user("learner")
    user = login_as("learner")
    cases = [
        ({"new_email": "x@example.test", "password": "wrong password here"}, "not your current"),
        ({"new_email": taken.email, "password": PASSWORD}, "Another account uses that address."),
        ({"new_email": "not an address", "password": PASSWORD}, "valid e-mail address"),
        ({"new_email": user.email, "password": PASSWORD}, "That is already your address."),
    ]
    for data, message in cases:
        response = client.post("/account/email", data=data)
        assert response.status_code == 422, data
        assert message in _text(response), data
    assert _outbox(app) == []
    assert client.get("/account/email/confirm/forged-token").status_code == 404
