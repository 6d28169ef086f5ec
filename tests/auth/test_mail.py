"""The mail service (console and SMTP backends, outbox table) and the /dev/outbox page."""

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.mail import services as mail_services
from smresidency.mail.models import OutboxMessage
from smresidency.mail.services import send_mail


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


def test_console_backend_prints_to_stderr_and_keeps_the_message(app, capsys):
    assert app.config["MAIL_BACKEND"] == "console"
    with app.app_context():
        send_mail("ann@example.test", "Welcome aboard", "Hello Ann,\nthe residency starts soon.")
        db.session.commit()

    err = capsys.readouterr().err
    assert "--- mail to ann@example.test ---" in err
    assert "Subject: Welcome aboard" in err
    assert "the residency starts soon." in err

    [message] = outbox(app)
    assert message.recipient == "ann@example.test"
    assert message.subject == "Welcome aboard"
    assert message.body == "Hello Ann,\nthe residency starts soon."
    assert message.backend == "console"
    assert message.created_at is not None


def test_outbox_row_belongs_to_the_callers_transaction(app, capsys):
    """A request that fails rolls its mail record back with everything else."""
    with app.app_context():
        send_mail("ann@example.test", "Never recorded", "body")
        db.session.rollback()
    assert outbox(app) == []


def test_password_reset_mail_reaches_the_console(app, client, make_user, capsys):
    user = make_user(email="ann@example.com")
    client.post("/forgot-password", data={"email": user.email})
    err = capsys.readouterr().err
    assert "--- mail to ann@example.com ---" in err
    assert "http://localhost/reset-password/" in err


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what would have been sent."""

    sent: list = []
    calls: list = []

    def __init__(self, host, port, timeout):
        FakeSMTP.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        FakeSMTP.calls.append(("starttls",))

    def login(self, username, password):
        FakeSMTP.calls.append(("login", username, password))

    def send_message(self, msg):
        FakeSMTP.sent.append(msg)


def test_smtp_backend_sends_and_records(app, monkeypatch, capsys):
    FakeSMTP.sent, FakeSMTP.calls = [], []
    monkeypatch.setattr(mail_services.smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="mail.example.test",
        SMTP_PORT=2525,
        SMTP_USERNAME="robot",
        SMTP_PASSWORD="hunter2-but-longer",
        MAIL_SENDER="residency@example.test",
    )
    with app.app_context():
        send_mail("ann@example.test", "Your certificate", "Well done.")
        db.session.commit()

    assert FakeSMTP.calls == [
        ("connect", "mail.example.test", 2525),
        ("starttls",),
        ("login", "robot", "hunter2-but-longer"),
    ]
    [msg] = FakeSMTP.sent
    assert msg["From"] == "residency@example.test"
    assert msg["To"] == "ann@example.test"
    assert msg["Subject"] == "Your certificate"
    assert msg.get_content().strip() == "Well done."
    assert "--- mail to" not in capsys.readouterr().err
    assert [m.backend for m in outbox(app)] == ["smtp"]


# --- /dev/outbox ----------------------------------------------------------------------------


def test_outbox_page_needs_sign_in(client):
    response = client.get("/dev/outbox")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/dev/outbox"


def test_outbox_page_is_refused_to_learners(client, login_as):
    login_as("learner")
    response = client.get("/dev/outbox")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_outbox_page_is_refused_to_other_staff(client, login_as):
    login_as("instructor", "coordinator")
    assert client.get("/dev/outbox").status_code == 403


def test_outbox_page_shows_an_empty_state(client, login_as):
    login_as("admin")
    response = client.get("/dev/outbox")
    assert response.status_code == 200
    assert "No messages have been sent yet." in response.get_data(as_text=True)


def test_outbox_page_lists_messages_newest_first(app, client, login_as):
    with app.app_context():
        send_mail("first@example.test", "First subject", "first body")
        send_mail("second@example.test", "Second subject", "second body <b>not bold</b>")
        db.session.commit()
    login_as("admin")
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "No messages have been sent yet." not in page
    assert "To first@example.test" in page
    assert "first body" in page
    assert page.index("Second subject") < page.index("First subject")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page  # bodies are shown as text, not HTML


def test_outbox_page_shows_a_reset_link_a_developer_can_follow(app, client, make_user, login_as):
    user = make_user(email="ann@example.com")
    client.post("/forgot-password", data={"email": user.email})
    login_as("admin")
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Reset your Social Media Residency password" in page
    assert "To ann@example.com" in page
    assert "http://localhost/reset-password/" in page


def test_outbox_page_is_gone_when_mail_goes_out_by_smtp(app, client, login_as):
    app.config["MAIL_BACKEND"] = "smtp"
    login_as("admin")
    assert client.get("/dev/outbox").status_code == 404
