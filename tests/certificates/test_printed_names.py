"""A name stored before names were checked still prints as one clean line: on the certificate
PDF, in the credential's `credentialSubject.name`, and in the mail that announces it."""

import re
from datetime import date, timedelta

from sqlalchemy import select, update

from smresidency.auth.models import User
from smresidency.certificates import credential
from smresidency.certificates.models import Certificate
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.certificates.test_pdf import certificate_of, read_pdf, tick
from tests.fixtures.control_characters import FORBIDDEN, FORBIDDEN_IN_BODY, NAMES

LEGACY = NAMES["header injection"] + " \u202eremhcrA\u202c"
PRINTED = "Line One Bcc: victim@evil.example remhcrA"


def _rename(app, user_id: int, name: str) -> None:
    """As a row written before the forms refused such names (or by hand in the database)."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(name=name))
        db.session.commit()


def test_a_legacy_name_is_issued_printed_signed_and_mailed_clean(app, nearly_done):
    _rename(app, nearly_done["learner"].id, LEGACY)
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    assert cert.recipient_name == PRINTED

    page = read_pdf(nearly_done["client"].get(f"/certificates/{cert.id}.pdf")).pages[0]
    assert PRINTED in " ".join(page.extract_text().split())  # a long name wraps

    with app.app_context():
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.subject.startswith("Your certificate"))
        )
    assert mail is not None
    assert f"Hello {PRINTED}," in mail.body
    assert not FORBIDDEN_IN_BODY.search(mail.body) and "\r" not in mail.body
    assert not re.search(r"^Bcc:", mail.body, re.M)


def _legacy_certificate(**fields) -> Certificate:
    values = {
        "id": 9,
        "serial": "SMR-2026-000009",
        "code": "ABCDEFGHIJKLMNOP",
        "recipient_name": LEGACY,
        "course_title": "Social Media\u2028Residency",
        "organisation": "Test Hospital",
        "hours": 12.0,
        "immersion_date": date(2026, 11, 20),
        "place": "Room\u202e 2",
        "issued_at": utcnow() - timedelta(days=1),
        "expires_at": None,
    }
    return Certificate(**{**values, **fields})


def test_a_certificate_row_holding_control_characters_prints_and_signs_without_them():
    from smresidency.certificates.pdf import certificate_pdf
    from tests.certificates.test_pdf import PdfReader, io

    cert = _legacy_certificate()
    data = credential.build(cert, "https://residency.example.org", "smr", "A residency")
    assert data["credentialSubject"]["name"] == PRINTED
    assert not FORBIDDEN.search(str(data["credentialSubject"]))

    pdf = PdfReader(io.BytesIO(certificate_pdf(cert, "https://residency.example.org/verify/X")))
    text = pdf.pages[0].extract_text()
    words = " ".join(text.split())  # a long name wraps onto a second line
    assert PRINTED in words and "Social Media Residency" in words and "Room 2" in words
    assert not FORBIDDEN_IN_BODY.search(text)
    assert not FORBIDDEN.search(pdf.metadata.title)
