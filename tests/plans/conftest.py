"""Fixtures for the strategy plan: a cohort with faculty, a coordinator and two learners."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from smresidency.extensions import db as _db

COURSE = "social-media-residency"
SECTION_IDS = [
    "goals",
    "audiences",
    "platforms",
    "pillars",
    "cadence",
    "measures",
    "risk",
    "resources",
]


def full_plan(prefix: str = "") -> dict:
    """Form data with every section written."""
    return {f"section-{sid}": f"{prefix}Text for {sid}." for sid in SECTION_IDS}


@pytest.fixture
def cohort(synced_course, make_user, make_cohort):
    """Faculty, a coordinator and two learners in one cohort; another cohort with its staff."""
    faculty = make_user("instructor", name="Fran Faculty")
    coordinator = make_user("coordinator", name="Cora Coordinator")
    ann = make_user("learner", name="Ann Archer")
    bob = make_user("learner", name="Bob Brown")
    cohort_id, _ = make_cohort(
        synced_course, faculty=[faculty], coordinators=[coordinator], learners=[ann, bob]
    )
    other_faculty = make_user("instructor", name="Otto Other")
    other_coordinator = make_user("coordinator", name="Olga Other")
    outsider = make_user("learner", name="Olly Outsider")
    other_id, _ = make_cohort(
        synced_course,
        faculty=[other_faculty],
        coordinators=[other_coordinator],
        learners=[outsider],
    )
    return SimpleNamespace(
        id=cohort_id,
        other_id=other_id,
        faculty=faculty,
        coordinator=coordinator,
        ann=ann,
        bob=bob,
        other_faculty=other_faculty,
        other_coordinator=other_coordinator,
        outsider=outsider,
    )


def plan_of(app, user_id: int):
    """The user's plan row with its versions (oldest first) and reviews, read afresh."""
    from smresidency.cohorts.models import Enrolment
    from smresidency.plans.models import PlanReview, PlanVersion, StrategyPlan

    with app.app_context():
        plan = _db.session.scalar(
            select(StrategyPlan).join(Enrolment).where(Enrolment.user_id == user_id)
        )
        if plan is None:
            return None
        versions = _db.session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number)
        ).all()
        reviews = _db.session.scalars(
            select(PlanReview).where(PlanReview.plan_id == plan.id).order_by(PlanReview.id)
        ).all()
        _db.session.expunge_all()
        return SimpleNamespace(
            id=plan.id, state=plan.state, enrolment_id=plan.enrolment_id,
            versions=versions, reviews=reviews,
        )  # fmt: skip


def rubric_data(level: int = 2) -> dict:
    """A level for every criterion of the real rubric."""
    from smresidency.catalog.models import Course

    criteria = _db.session.scalar(select(Course).where(Course.slug == COURSE)).plan["criteria"]
    return {f"level-{c['id']}": str(level) for c in criteria}


@pytest.fixture
def submitted(app, client, login_as, cohort):
    """Ann has written and submitted her plan; returns her plan id. Leaves nobody signed in."""
    login_as(user=cohort.ann)
    response = client.post(f"/courses/{COURSE}/plan", data={**full_plan(), "action": "submit"})
    assert response.status_code == 302
    client.get("/")  # consume the flash
    with client.session_transaction() as session:
        session.clear()
    return plan_of(app, cohort.ann.id).id


@pytest.fixture
def rubric(app):
    with app.app_context():
        return rubric_data()


def pdf_text(response) -> str:
    """The text of a PDF response, as a reader would extract it."""
    from io import BytesIO

    from pypdf import PdfReader

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)
