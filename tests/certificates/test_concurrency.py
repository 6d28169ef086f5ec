"""Many processes complete the last requirement, ask for the certificate, or download its
credential at the same moment: exactly one certificate (and one mail, one status list bit)
results, and nobody's request fails.

Runs on whichever database the suite runs on, like tests/test_concurrency.py.
"""

import pytest
from sqlalchemy import func, select

from smresidency.certificates.models import Certificate
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.test_concurrency import _picklable, _run

pytestmark = pytest.mark.slow


def issuer(config: dict, token: str, barrier, results, enrolment_id: int) -> None:
    """Ask for the enrolment's certificate (as every completing action does), then commit."""
    from smresidency import create_app
    from smresidency.certificates.services import issue_if_eligible

    app = create_app(config)
    with app.app_context():  # as `flask certificates issue` does: no request
        db.session.execute(select(1))  # connect before the barrier, not after
        db.session.rollback()
        barrier.wait(timeout=60)
        try:
            cert = issue_if_eligible(enrolment_id)
            db.session.commit()
            outcome = "issued" if cert is not None else "nothing"
        except Exception as err:  # reported to the test, which fails on it
            db.session.rollback()
            outcome = f"failed: {err!r}"
        db.engine.dispose()
    results.put([outcome])


def ticker(config: dict, token: str, barrier, results, enrolment_id: int, by_id: int) -> None:
    """A faculty member ticks the last checklist item."""
    from smresidency import create_app
    from smresidency.immersion.services import set_checked

    app = create_app(config)
    with app.test_request_context(method="POST"):
        db.session.execute(select(1))
        db.session.rollback()
        barrier.wait(timeout=60)
        try:
            set_checked(enrolment_id, "check-in", True, by_id)
            db.session.commit()
            outcome = "ticked"
        except Exception as err:
            db.session.rollback()
            outcome = f"failed: {err!r}"
        db.engine.dispose()
    results.put([outcome])


def reader(config: dict, token: str, barrier, results, *_ignored) -> None:
    """The learner marks the last module as read, through the web page."""
    from tests.test_concurrency import _client_for

    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    status = client.post("/courses/test-course/modules/02-finish/read").status_code
    with app.app_context():
        db.engine.dispose()
    results.put([status])


def checker(config: dict, token: str, barrier, results, code: str) -> None:
    """A visitor scans the QR code: five verification page loads in a row."""
    from tests.test_concurrency import _client_for

    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    statuses = [client.get(f"/verify/{code}").status_code for _ in range(5)]
    with app.app_context():
        db.engine.dispose()
    results.put(statuses)


def downloader(config: dict, token: str, barrier, results, cert_id: int) -> None:
    """The learner downloads the credential (its first download gives it a bit in the status
    list) while others do the same; reports each status and the bit each file names."""
    import json

    from joserfc import jws

    from tests.test_concurrency import _client_for

    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    seen = []
    for _ in range(3):
        response = client.get(f"/certificates/{cert_id}/credential.jwt")
        if response.status_code != 200:
            seen.append(response.status_code)
            continue
        claims = json.loads(jws.extract_compact(response.data).payload)
        seen.append(claims["credentialStatus"]["statusListIndex"])
    with app.app_context():
        db.engine.dispose()
    results.put(seen)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        certs = db.session.scalar(select(func.count()).select_from(Certificate))
        mails = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.subject.like("Your certificate%"))
        )
    return certs, mails


def config_of(app) -> dict:
    return {k: v for k, v in app.config.items() if _picklable(k, v)}


def test_six_processes_asking_at_once_issue_one_certificate(app, nearly_done):
    learner = nearly_done["learner"]
    with app.test_request_context(), app.app_context():
        from smresidency.immersion.services import set_checked

        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    # the last module is completed without the hook, so the certificate is due but not issued
    _complete_quietly(app, learner.id, "02-finish")
    assert counts(app) == (0, 0)
    args = (config_of(app), learner.session_token, nearly_done["enrolment_id"])
    outcomes = _run(issuer, [args] * 6)
    assert not [o for o in outcomes if o.startswith("failed")], outcomes
    assert sorted(outcomes) == ["issued"] + ["nothing"] * 5
    assert counts(app) == (1, 1)


def test_faculty_ticking_while_the_learner_reads_the_last_module_issue_one(app, nearly_done):
    config, enrolment = config_of(app), nearly_done["enrolment_id"]
    faculty = nearly_done["faculty"]
    outcomes = _run(
        _dispatch,
        [(config, nearly_done["learner"].session_token, "reader", enrolment, faculty.id)]
        + [(config, "", "ticker", enrolment, faculty.id)] * 3,
    )
    assert sorted(map(str, outcomes)) == ["302", "ticked", "ticked", "ticked"], outcomes
    assert counts(app) == (1, 1)


def _dispatch(config, token, barrier, results, role, enrolment_id, by_id):
    """One picklable entry point for a mixed crowd of processes."""
    if role == "reader":
        reader(config, token, barrier, results)
    else:
        ticker(config, token, barrier, results, enrolment_id, by_id)


def _complete_quietly(app, user_id: int, slug: str) -> None:
    from smresidency.catalog.models import Module, ModuleVersion
    from smresidency.db import utcnow
    from smresidency.learning.models import ModuleProgress

    with app.app_context():
        module_id, version_id = db.session.execute(
            select(Module.id, ModuleVersion.id)
            .join(ModuleVersion, ModuleVersion.content_hash == Module.current_hash)
            .where(Module.slug == slug)
        ).one()
        now = utcnow()
        db.session.add(
            ModuleProgress(
                user_id=user_id,
                module_id=module_id,
                version_id=version_id,
                read_at=now,
                completed_at=now,
            )
        )
        db.session.commit()


def test_verification_pages_loaded_at_once_all_answer(app, nearly_done):
    """Each check writes a rate-limit hit from a GET; at once, none may fail as locked."""
    from smresidency.immersion.services import set_checked

    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    config = config_of(app) | {"VERIFY_MAX_PER_MINUTE": 1000}
    statuses = _run(checker, [(config, "", code)] * 6)
    assert statuses == [200] * 30, statuses


def test_first_downloads_at_once_all_answer_and_name_one_bit(app, nearly_done):
    """The first download writes the certificate's status list position from a GET; six at
    once (with verification checks writing meanwhile) all succeed and agree on it."""
    from smresidency.certificates import keys
    from smresidency.immersion.services import set_checked

    keys.generate(app.instance_path)
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        cert_id, code = db.session.execute(select(Certificate.id, Certificate.code)).one()
    config = config_of(app) | {"VERIFY_MAX_PER_MINUTE": 1000}
    token = nearly_done["learner"].session_token
    outcomes = _run(
        _download_or_check,
        [(config, token, "download", cert_id, code)] * 6
        + [(config, "", "check", cert_id, code)] * 2,
    )
    indexes = [o for o in outcomes if isinstance(o, str)]
    assert len(indexes) == 18 and len(set(indexes)) == 1, outcomes
    assert sorted(o for o in outcomes if isinstance(o, int)) == [200] * 10
    with app.app_context():
        assert str(db.session.scalar(select(Certificate.status_index))) == indexes[0]


def _download_or_check(config, token, barrier, results, role, cert_id, code):
    """One picklable entry point for downloaders and verification checks together."""
    if role == "download":
        downloader(config, token, barrier, results, cert_id)
    else:
        checker(config, token, barrier, results, code)
