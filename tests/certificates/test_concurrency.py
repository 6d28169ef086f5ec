"""Many processes complete the last requirement, or ask for the certificate, at the same moment:
exactly one certificate (and one mail) results, and nobody's request fails.

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
