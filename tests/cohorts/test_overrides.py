"""Staff overrides on a learner's record: a reason, an audit entry, and the learner sees it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from smresidency.admin.models import AuditEntry
from smresidency.catalog.models import Module
from smresidency.cohorts.models import Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.quizzes.models import QuizAttempt, QuizOverride
from tests.quizzes import test_taking as taking
from tests.quizzes.test_taking import (
    COURSE,
    MODULE,
    failing_answers,
    quiz_of_attempt,
    start,
    submit,
)

course_root, learner = taking.course_root, taking.learner


@pytest.fixture
def cohort(make_cohort, make_user, learner):
    coordinator = make_user("coordinator")
    cohort_id, _ = make_cohort(COURSE, coordinators=[coordinator], learners=[learner])
    return {"id": cohort_id, "coordinator": coordinator}


def _module_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Module.id).where(Module.slug == "01-privacy"))


def _override_url(cohort, learner) -> str:
    return f"/cohorts/{cohort['id']}/learners/{learner.id}/override"


def _audit(app) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "override")).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_cleared_cooldown_needs_a_reason_is_audited_and_opens_the_quiz(
    app, client, login_as, learner, cohort
):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    submit(client, token, failing_answers(quiz, drawn))
    assert "Your next attempt opens" in _text(client.get(MODULE))
    module_id = _module_id(app)

    login_as(user=cohort["coordinator"])
    page = _text(client.get(f"/cohorts/{cohort['id']}/learners/{learner.id}"))
    assert "Staff overrides" in page and f"clear_cooldown:{module_id}" in page
    refused = client.post(
        _override_url(cohort, learner), data={"action": f"clear_cooldown:{module_id}"}
    )
    assert refused.status_code == 422
    assert "Give a reason; it is kept in the audit log." in _text(refused)
    assert _audit(app) == []

    done = client.post(
        _override_url(cohort, learner),
        data={"action": f"clear_cooldown:{module_id}", "reason": "Fire alarm during the quiz"},
    )
    assert done.status_code == 302
    [entry] = _audit(app)
    assert entry.actor_id == cohort["coordinator"].id and entry.target_user_id == learner.id
    assert entry.detail == "Fire alarm during the quiz"
    assert entry.after["kind"] == "clear_cooldown"

    login_as(user=learner)
    page = _text(client.get(MODULE))
    assert "Your coordinator lifted the wait before your next attempt." in page
    assert "Your next attempt opens" not in page
    assert start(client) != token


def test_an_extra_attempt_reopens_an_exhausted_quiz(app, client, login_as, learner, cohort):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    submit(client, token, failing_answers(quiz, drawn))
    with app.app_context():  # two more failed attempts, long ago: all three used
        first = db.session.scalar(select(QuizAttempt))
        first.submitted_at = utcnow() - timedelta(days=2)
        for days in (1, 0.5):
            db.session.add(
                QuizAttempt(
                    token=f"old-{days}",
                    user_id=learner.id,
                    module_id=first.module_id,
                    version_id=first.version_id,
                    questions=first.questions,
                    started_at=utcnow() - timedelta(days=days),
                    submitted_at=utcnow() - timedelta(days=days),
                    answers={},
                    score=0,
                    passed=False,
                )
            )
        db.session.commit()
    assert "You have used every attempt." in _text(client.get(MODULE))
    assert client.post(f"{MODULE}/quiz").headers["Location"].endswith(MODULE)

    login_as(user=cohort["coordinator"])
    module_id = _module_id(app)
    response = client.post(
        _override_url(cohort, learner),
        data={"action": f"extra_attempt:{module_id}", "reason": "Had the flu on the day"},
    )
    assert response.status_code == 302
    with app.app_context():
        [row] = db.session.scalars(select(QuizOverride)).all()
        assert (row.kind, row.reason, row.granted_by_id) == (
            "extra_attempt",
            "Had the flu on the day",
            cohort["coordinator"].id,
        )

    login_as(user=learner)
    page = _text(client.get(MODULE))
    assert "Your coordinator granted you one more attempt." in page
    assert "1 of 4 attempts left" in page
    assert "/quiz/" in client.post(f"{MODULE}/quiz").headers["Location"]


def test_withdraw_and_readmit_with_a_reason_are_audited(app, client, login_as, learner, cohort):
    login_as(user=cohort["coordinator"])
    url = _override_url(cohort, learner)
    assert (
        client.post(url, data={"action": "withdraw:", "reason": "Left the trust"}).status_code
        == 302
    )
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
        assert enrolment.status == "withdrawn"
    page = _text(client.get(f"/cohorts/{cohort['id']}/learners/{learner.id}"))
    assert "Readmit to the cohort" in page and "Withdraw from the cohort" not in page
    # a stale form choosing "withdraw" again is refused by the choices, with the field error
    stale = client.post(url, data={"action": "withdraw:", "reason": "again"})
    assert stale.status_code == 422 and "Not a valid choice" in _text(stale)
    assert client.post(url, data={"action": "readmit:", "reason": "Came back"}).status_code == 302
    entries = _audit(app)
    assert [(e.before["status"], e.after["status"], e.detail) for e in entries] == [
        ("active", "withdrawn", "Left the trust"),
        ("withdrawn", "active", "Came back"),
    ]


def test_faculty_see_the_record_without_the_override_form(
    app, client, login_as, make_user, make_cohort, learner
):
    teacher = make_user("instructor")
    cohort_id, _ = make_cohort(COURSE, faculty=[teacher], learners=[learner])
    login_as(user=teacher)
    page = _text(client.get(f"/cohorts/{cohort_id}/learners/{learner.id}"))
    assert learner.name in page and "Staff overrides" not in page
    assert client.post(f"/cohorts/{cohort_id}/learners/{learner.id}/override").status_code == 403
