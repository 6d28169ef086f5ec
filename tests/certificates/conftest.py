"""A learner one step from their certificate, in a small course, for the certificate tests."""

import pytest
from sqlalchemy import select

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db

IMMERSION = """---
title: Immersion day
---
The day.

## Check in for the day
id: check-in
kind: attendance
required: true
completed_by: faculty

Arrive.

## Optional extra
id: extra
kind: hands-on
required: false
completed_by: faculty

Nice to have.
"""


@pytest.fixture
def nearly_done(app, write_course, make_user, make_cohort):
    """A course of two modules without quizzes and a two-item checklist (one required);
    the learner enrolled in a cohort has read module 01. Returns a dict of ids."""
    root = write_course(modules={"01-start": {}, "02-finish": {"requires": ["01-start"]}})
    (root / "test-course" / "course.md").write_text(
        "---\ntitle: Test course\nhours: 12\norganisation: Test Hospital\n"
        "certificate:\n  expires_months: 24\n---\nA test course.\n"
    )
    (root / "test-course" / "immersion.md").write_text(IMMERSION)
    with app.app_context():
        sync_content(root)
        db.session.commit()
    learner = make_user("learner", name="Zoë Παπαδοπούλου")
    faculty = make_user("instructor")
    coordinator = make_user("coordinator")
    cohort_id, _ = make_cohort(
        "test-course", learners=[learner], faculty=[faculty], coordinators=[coordinator]
    )
    from smresidency.cohorts.models import Enrolment

    with app.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = learner.session_token
    client.post("/courses/test-course/modules/01-start/read")
    return {
        "learner": learner,
        "faculty": faculty,
        "coordinator": coordinator,
        "cohort_id": cohort_id,
        "enrolment_id": enrolment_id,
        "client": client,
    }


@pytest.fixture
def served(app):
    """The app served over real HTTP on a free local port, and BASE_URL pointing at it, so
    credentials name addresses a verifier can fetch. Yields (base URL, stop)."""
    import socket
    import threading

    from werkzeug.serving import make_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = base
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stopped = []

    def stop():
        if not stopped:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            stopped.append(True)

    yield base, stop
    stop()
