"""A certificate is issued the moment the last requirement is met, whoever met it, once."""

from sqlalchemy import func, select

from smresidency.certificates.models import Certificate
from smresidency.certificates.services import eligibility, issue_if_eligible, revoke
from smresidency.extensions import db
from smresidency.immersion.services import set_checked
from smresidency.mail.models import OutboxMessage


def _certificates(app) -> list[Certificate]:
    with app.app_context():
        return db.session.scalars(select(Certificate)).all()


def _tick(app, nearly_done, item="check-in", checked=True):
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], item, checked, nearly_done["faculty"].id)
        db.session.commit()


def test_nothing_is_issued_while_something_is_missing(app, nearly_done):
    from smresidency.catalog.models import Course
    from smresidency.cohorts.models import Enrolment

    _tick(app, nearly_done)
    assert _certificates(app) == []
    with app.app_context():
        enrolment = db.session.get(Enrolment, nearly_done["enrolment_id"])
        missing = eligibility(enrolment, db.session.get(Course, enrolment.course_id))
        assert missing.modules == ["Finish"]
        assert missing.items == []


def test_reading_the_last_module_issues_it_with_a_serial_a_code_and_a_mail(app, nearly_done):
    _tick(app, nearly_done)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    (cert,) = _certificates(app)
    assert cert.serial == f"SMR-{cert.issued_at.year}-{cert.id:06d}"
    assert len(cert.code) == 16 and cert.code.isalnum()  # 80 random bits in base32
    assert cert.display_code.count("-") == 3
    assert cert.recipient_name == "Zoë Παπαδοπούλου"
    assert cert.hours == 12 and cert.organisation == "Test Hospital"
    assert cert.expires_at is not None and (cert.expires_at - cert.issued_at).days in range(
        728, 733
    )
    with app.app_context():
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.subject.like("Your certificate%"))
        )
    assert mail.recipient == nearly_done["learner"].email
    assert f"/verify/{cert.code}" in mail.body


def test_faculty_ticking_the_last_item_issues_it(app, nearly_done):
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    assert _certificates(app) == []
    _tick(app, nearly_done)
    assert len(_certificates(app)) == 1


def test_an_optional_item_is_not_needed(app, nearly_done):
    _tick(app, nearly_done)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    assert len(_certificates(app)) == 1  # "extra" was never ticked


def test_it_is_issued_once_however_often_it_is_asked(app, nearly_done):
    _tick(app, nearly_done)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    _tick(app, nearly_done, checked=False)
    _tick(app, nearly_done, checked=True)
    with app.test_request_context(), app.app_context():
        assert issue_if_eligible(nearly_done["enrolment_id"]) is None
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_withdrawn_learner_gets_no_certificate(app, nearly_done):
    from smresidency.cohorts.models import Enrolment

    with app.app_context():
        db.session.get(Enrolment, nearly_done["enrolment_id"]).status = "withdrawn"
        db.session.commit()
    _tick(app, nearly_done)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    assert _certificates(app) == []


def test_revocation_keeps_the_record_and_says_why(app, nearly_done):
    import pytest

    from smresidency.certificates.services import CertificateError

    _tick(app, nearly_done)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        with pytest.raises(CertificateError, match="Say why"):
            revoke(cert, nearly_done["coordinator"].id, "  ")
        revoke(cert, nearly_done["coordinator"].id, "Issued to the wrong person")
        db.session.commit()
    (cert,) = _certificates(app)
    assert cert.revoked_at is not None
    assert cert.revoked_by_id == nearly_done["coordinator"].id
    assert cert.revoke_reason == "Issued to the wrong person"
    from smresidency.db import utcnow

    assert cert.status(utcnow()) == "revoked"


def test_a_failing_mail_server_does_not_undo_the_certificate(app, nearly_done):
    """SMTP down: the tick that completed the residency and the certificate both stand."""
    import socket

    with socket.socket() as probe:  # a local port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    _tick(app, nearly_done)
    (cert,) = _certificates(app)
    assert cert.serial
    from smresidency.immersion.models import CheckOff

    with app.app_context():
        assert db.session.scalar(select(CheckOff.checked).where(CheckOff.item_id == "check-in"))
