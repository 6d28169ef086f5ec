"""A small course with a quiz, a three-item checklist and the real plan, and a learner's
walk through it by the pages people use (shared by the xAPI tests)."""

import re
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from smresidency.catalog.models import Course
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.quizzes.grading import value_of
from smresidency.quizzes.models import QuizAttempt

ROOT = Path(__file__).resolve().parents[2]
SLUG = "xapi-course"
QUIZ = """
## Quiz
pass: 100%
attempts: 3
cooldown: 0

### Which choice is right?
- [x] The right one
  > Yes.
- [ ] The wrong one
  > No.
"""
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

## Post in the sandbox
id: sandbox-post
kind: hands-on
required: true
completed_by: faculty

Write a post.

## Strategy plan
id: strategy-plan
kind: plan
required: true
completed_by: learner

Submit your plan.
"""


def write(root: Path) -> Path:
    """The course on disk: one module with a quiz, the checklist above, the real plan."""
    from tests.builders import write_course

    write_course(root, slug=SLUG, title="xAPI course", modules={"01-start": {"quiz": QUIZ}})
    course = root / SLUG
    (course / "course.md").write_text("---\ntitle: xAPI course\nhours: 6\n---\nA course.\n")
    (course / "immersion.md").write_text(IMMERSION)
    shutil.copy(ROOT / "course_content" / "social-media-residency" / "plan.md", course)
    return root


def setup(app, tmp_path, make_user, make_cohort) -> SimpleNamespace:
    """The course synced and a learner enrolled, with faculty and a coordinator."""
    with app.app_context():
        sync_content(write(tmp_path / "content"))
        db.session.commit()
    # Ralph checks mbox addresses as e-mail: the reserved .test domain is refused
    tag = uuid.uuid4().hex[:8]
    learner = make_user("learner", name="Lee Learner", email=f"lee.{tag}@example.org")
    faculty = make_user("instructor", name="Fay Faculty", email=f"fay.{tag}@example.org")
    coordinator = make_user("coordinator", name="Cole Coordinator")
    cohort_id, _ = make_cohort(
        SLUG, learners=[learner], faculty=[faculty], coordinators=[coordinator]
    )
    from smresidency.cohorts.models import Enrolment

    with app.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id))
    return SimpleNamespace(
        learner=learner,
        faculty=faculty,
        coordinator=coordinator,
        cohort_id=cohort_id,
        enrolment_id=enrolment_id,
        as_learner=signed_in(app, learner),
        as_faculty=signed_in(app, faculty),
        as_coordinator=signed_in(app, coordinator),
    )


def signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    return client


def read_module(w) -> None:
    page = w.as_learner.post(f"/courses/{SLUG}/modules/01-start/read")
    assert page.status_code in (302, 303), page.text


def take_quiz(app, w, right: bool) -> None:
    started = w.as_learner.post(f"/courses/{SLUG}/modules/01-start/quiz")
    assert started.status_code == 302, started.text
    token = re.fullmatch(r"/quiz/([\w-]+)", started.headers["Location"]).group(1)
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        (item,) = attempt.questions
        version = attempt.version_id
        from smresidency.catalog.models import ModuleVersion

        (question,) = db.session.get(ModuleVersion, version).quiz["questions"]
    choice = next(i for i, c in enumerate(question["choices"]) if c["correct"] == right)
    answer = {f"answer-{item['key']}": value_of(item, choice)}
    sent = w.as_learner.post(f"/quiz/{token}", data=answer)
    assert sent.status_code == 302, sent.text


def tick(w, item_id: str, reason: str = "") -> None:
    url = f"/cohorts/{w.cohort_id}/roster/{w.enrolment_id}/{item_id}"
    page = w.as_faculty.post(url, data={"checked": "1", "reason": reason})
    assert page.status_code == 303, page.text


def submit_plan(app, w) -> None:
    with app.app_context():
        spec = db.session.scalar(select(Course).where(Course.slug == SLUG)).plan
    sections = {f"section-{s['id']}": f"Our {s['id']}, in a sentence." for s in spec["sections"]}
    page = w.as_learner.post(f"/courses/{SLUG}/plan", data={**sections, "action": "submit"})
    assert page.status_code == 302, page.text


def accept_plan(app, w) -> None:
    from smresidency.plans.models import StrategyPlan

    with app.app_context():
        spec = db.session.scalar(select(Course).where(Course.slug == SLUG)).plan
        plan_id = db.session.scalar(select(StrategyPlan.id))
    levels = {f"level-{c['id']}": "3" for c in spec["criteria"]}
    page = w.as_faculty.post(
        f"/cohorts/{w.cohort_id}/plans/{plan_id}",
        data={**levels, "decision": "accept", "version": "1"},
    )
    assert page.status_code == 302, page.text


def revoke_certificate(app, w) -> None:
    from smresidency.certificates.models import Certificate

    with app.app_context():
        cert_id = db.session.scalar(select(Certificate.id))
    assert cert_id is not None, "no certificate was issued"
    page = w.as_coordinator.post(
        f"/cohorts/{w.cohort_id}/certificates/{cert_id}/revoke",
        data={"reason": "Issued in error", "confirmed": "yes"},
    )
    assert page.status_code in (302, 303), page.text
