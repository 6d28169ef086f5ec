"""Faculty review: the rubric, accept and return, the checklist tick, and who may do it."""

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.immersion.models import CheckOff, CheckOffEvent
from smresidency.plans.models import PlanReview
from tests.plans.conftest import COURSE, full_plan, plan_of


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def review_url(cohort, plan_id) -> str:
    return f"/cohorts/{cohort.id}/plans/{plan_id}"


def test_review_page_shows_sections_versions_and_the_rubric(client, login_as, cohort, submitted):
    login_as(user=cohort.faculty)
    response = client.get(review_url(cohort, submitted))
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Ann Archer\N{RIGHT SINGLE QUOTATION MARK}s strategy plan</h1>" in html
    assert '<div class="plan-text">Text for cadence.</div>' in html
    assert (
        f'href="/cohorts/{cohort.id}/plans/{submitted}?version=1" aria-current="page">Version 1</a>'
        in html
    )
    # a fieldset per criterion, a radio per level, each required
    assert html.count('<fieldset class="rubric-criterion"') == 9 + 1  # criteria and the decision
    assert "<legend>Goals are specific and measurable</legend>" in html
    assert html.count('name="level-goals-measurable"') == 4
    assert (
        'required type="radio" value="3"> <label for="level-goals-measurable-3">Exemplary</label>'
        in html
    )
    assert '<label for="comments">Comments for the learner</label>' in html


def test_accept_ticks_the_plan_item(app, client, login_as, cohort, submitted, rubric):
    login_as(user=cohort.faculty)
    response = client.post(
        review_url(cohort, submitted),
        data={**rubric, "level-risk-managed": "3", "decision": "accept", "version": "1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cohorts/{cohort.id}/plans")
    assert "Plan accepted: Ann Archer." in text(client.get(f"/cohorts/{cohort.id}/plans"))

    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "accepted"
    (review,) = plan.reviews
    assert review.decision == "accepted"
    assert review.reviewer_id == cohort.faculty.id
    assert review.version_id == plan.versions[0].id
    assert review.levels["risk-managed"] == 3 and review.levels["goals-measurable"] == 2
    with app.app_context():
        tick = db.session.scalar(
            select(CheckOff).where(
                CheckOff.enrolment_id == plan.enrolment_id, CheckOff.item_id == "strategy-plan"
            )
        )
        assert tick.checked and tick.updated_by_id == cohort.faculty.id
        events = db.session.scalars(
            select(CheckOffEvent).where(CheckOffEvent.enrolment_id == plan.enrolment_id)
        ).all()
    assert [(e.item_id, e.action, e.by_id) for e in events] == [
        ("strategy-plan", "plan-accepted", cohort.faculty.id)
    ]

    # the learner sees the decision, and the accepted plan stays locked
    login_as(user=cohort.ann)
    page = text(client.get(f"/courses/{COURSE}/plan"))
    assert "Your plan has been accepted." in page
    assert '<th scope="row">Privacy and compliance risks are managed</th><td>Exemplary</td>' in page
    assert "<textarea" not in page
    refused = client.post(f"/courses/{COURSE}/plan", data={**full_plan(), "action": "save"})
    assert refused.status_code == 409
    assert "accepted, so it can no longer be changed" in text(refused)


def test_return_needs_comments(app, client, login_as, cohort, submitted, rubric):
    login_as(user=cohort.faculty)
    response = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "return", "version": "1"}
    )
    assert response.status_code == 422
    assert "comments are required when you return a plan" in text(response)
    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "submitted" and plan.reviews == []


def test_every_criterion_needs_a_level(app, client, login_as, cohort, submitted, rubric):
    login_as(user=cohort.faculty)
    del rubric["level-content-quality"]
    response = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "1"}
    )
    assert response.status_code == 422
    html = text(response)
    assert '<p class="error" id="level-content-quality-error">Choose a level' in html
    assert 'id="level-goals-measurable-error"' not in html
    assert plan_of(app, cohort.ann.id).state == "submitted"


def test_returned_plan_keeps_its_versions_viewable(
    app, client, login_as, cohort, submitted, rubric
):
    login_as(user=cohort.faculty)
    client.post(
        review_url(cohort, submitted),
        data={**rubric, "decision": "return", "comments": "More on risk.", "version": "1"},
    )
    assert plan_of(app, cohort.ann.id).state == "returned"
    refused = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "1"}
    )
    assert refused.status_code == 409  # only a submitted plan can be reviewed
    assert len(plan_of(app, cohort.ann.id).reviews) == 1

    login_as(user=cohort.ann)
    client.post(f"/courses/{COURSE}/plan", data={**full_plan("Revised: "), "action": "submit"})

    login_as(user=cohort.faculty)
    latest = text(client.get(review_url(cohort, submitted)))
    assert "Revised: Text for risk." in latest  # the newest submitted version by default
    first = text(client.get(review_url(cohort, submitted) + "?version=1"))
    assert '<div class="plan-text">Text for risk.</div>' in first
    assert "More on risk." in first  # the review of version 1 is shown with it
    assert client.get(review_url(cohort, submitted) + "?version=9").status_code == 404

    # a form opened before the resubmission names version 1: refused, nothing written
    stale = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "1"}
    )
    assert stale.status_code == 409
    assert "Version 2 has been submitted since you opened the page" in text(stale)
    ok = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "2"}
    )
    assert ok.status_code == 302
    plan = plan_of(app, cohort.ann.id)
    assert [r.decision for r in plan.reviews] == ["returned", "accepted"]
    assert plan.reviews[1].version_id == plan.versions[1].id


def test_queue_lists_every_active_learner_submitted_first(client, login_as, cohort, submitted):
    login_as(user=cohort.bob)
    client.post(f"/courses/{COURSE}/plan", data={"section-goals": "Draft", "action": "save"})
    login_as(user=cohort.faculty)
    response = client.get(f"/cohorts/{cohort.id}/plans")
    assert response.status_code == 200
    html = text(response)
    ann = html.index('<th scope="row">Ann Archer</th>')
    bob = html.index('<th scope="row">Bob Brown</th>')
    assert ann < bob
    assert "Submitted for review" in html[ann:bob] and "Draft" in html[bob:]
    assert f'href="/cohorts/{cohort.id}/plans/{submitted}"> Review' in html
    assert "Olly Outsider" not in html


def test_coordinator_of_the_cohort_reads_but_does_not_review(
    app, client, login_as, cohort, submitted, rubric
):
    login_as(user=cohort.coordinator)
    assert client.get(f"/cohorts/{cohort.id}/plans").status_code == 200
    page = client.get(review_url(cohort, submitted))
    assert page.status_code == 200
    assert "Text for goals." in text(page)
    assert "Record decision" not in text(page)
    response = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "1"}
    )
    assert response.status_code == 403
    assert plan_of(app, cohort.ann.id).state == "submitted"


def test_staff_of_another_cohort_get_404(app, client, login_as, cohort, submitted, rubric):
    for person in (cohort.other_faculty, cohort.other_coordinator):
        login_as(user=person)
        assert client.get(f"/cohorts/{cohort.id}/plans").status_code == 404
        assert client.get(review_url(cohort, submitted)).status_code == 404
        assert client.get(review_url(cohort, submitted) + ".pdf").status_code == 404
    login_as(user=cohort.other_faculty)
    response = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "1"}
    )
    assert response.status_code == 404
    # nor through their own cohort's address
    other = f"/cohorts/{cohort.other_id}/plans/{submitted}"
    assert client.get(other).status_code == 404
    assert client.post(other, data={**rubric, "decision": "accept"}).status_code == 404
    assert plan_of(app, cohort.ann.id).state == "submitted"


def test_learner_cannot_review(app, client, login_as, cohort, submitted, rubric):
    login_as(user=cohort.ann)
    assert client.get(f"/cohorts/{cohort.id}/plans").status_code == 403
    response = client.post(
        review_url(cohort, submitted), data={**rubric, "decision": "accept", "version": "1"}
    )
    assert response.status_code == 403
    assert plan_of(app, cohort.ann.id).state == "submitted"


def test_admin_may_review(app, client, login_as, cohort, submitted, rubric):
    admin = login_as("admin")
    response = client.post(
        review_url(cohort, submitted),
        data={**rubric, "decision": "return", "comments": "Tighten.", "version": "1"},
    )
    assert response.status_code == 302
    with app.app_context():
        review = db.session.scalar(select(PlanReview))
    assert (review.decision, review.reviewer_id, review.comments) == (
        "returned",
        admin.id,
        "Tighten.",
    )
