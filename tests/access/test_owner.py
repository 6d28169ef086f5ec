"""A learner's certificate pages show that certificate, and only to its owner.

Each learner here holds a certificate of their own, so a lookup that forgot the certificate
id would still find *something* of theirs (a mutant `make mutation` made survived until now).
"""

import pytest

from tests.access import world as _world
from tests.test_access_matrix import current_token


@pytest.fixture
def two_learners(app, synced_course, make_user, make_cohort):
    """Two learners of one cohort, each with a certificate: {name: (user, cert id, serial)}."""
    from sqlalchemy import select

    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db

    ann, ben = make_user("learner"), make_user("learner")
    cohort_id, _ = make_cohort(synced_course, learners=[ann, ben])
    out = {}
    with app.app_context():
        for name, user in (("ann", ann), ("ben", ben)):
            enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id))
            cert_id, _ = _world._certificate(user.id, enrolment, cohort_id)
            cert = db.session.get(Certificate, cert_id)
            cert.serial = f"SMR-2026-00000{len(out) + 1}"
            cert.code = f"OWNERCODE{len(out) + 1}ABCDEFG"
            db.session.commit()
            out[name] = (user, cert_id, cert.serial)
    return out


def as_user(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = current_token(app, user.id)
    return client


def test_each_learner_sees_their_own_certificate_by_its_id(app, two_learners):
    for user, cert_id, serial in two_learners.values():
        page = as_user(app, user).get(f"/certificates/{cert_id}")
        assert page.status_code == 200
        assert serial in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/certificates/{}", "/certificates/{}.pdf"])
def test_another_learners_certificate_id_is_not_found(app, two_learners, path):
    ann, ann_cert, _ = two_learners["ann"]
    _, ben_cert, _ = two_learners["ben"]
    client = as_user(app, ann)
    assert client.get(path.format(ben_cert)).status_code == 404
    assert client.get(path.format(ben_cert + ann_cert + 1000)).status_code == 404


def test_the_owner_downloads_a_credential_naming_their_course(app, two_learners):
    from smresidency.certificates import keys

    keys.generate(app.instance_path)
    ann, ann_cert, serial = two_learners["ann"]
    _, ben_cert, _ = two_learners["ben"]
    client = as_user(app, ann)
    response = client.get(f"/certificates/{ann_cert}/credential.json")
    assert response.status_code == 200
    assert "social-media-residency" in response.get_data(as_text=True)
    assert f'filename="{serial}.json"' in response.headers["Content-Disposition"]
    assert client.get(f"/certificates/{ben_cert}/credential.json").status_code == 404
