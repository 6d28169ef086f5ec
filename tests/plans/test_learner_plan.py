"""The learner's own plan: drafts, submission, the lock while submitted, and revisions."""

import re

from sqlalchemy import update

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from tests.plans.conftest import COURSE, SECTION_IDS, full_plan, pdf_text, plan_of

URL = f"/courses/{COURSE}/plan"


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_not_in_a_cohort_gets_a_friendly_page(client, login_as, synced_course):
    login_as("learner")
    response = client.get(URL)
    assert response.status_code == 200
    assert "You are not in an active cohort" in text(response)
    assert "<textarea" not in text(response)


def test_unknown_course_is_404(client, login_as, synced_course):
    login_as("learner")
    assert client.get("/courses/no-such-course/plan").status_code == 404


def test_withdrawn_learner_cannot_edit(app, client, login_as, cohort):
    with app.app_context():
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == cohort.ann.id).values(status="withdrawn")
        )
        db.session.commit()
    login_as(user=cohort.ann)
    assert "You are not in an active cohort" in text(client.get(URL))
    response = client.post(URL, data={**full_plan(), "action": "save"})
    assert response.status_code == 404
    assert plan_of(app, cohort.ann.id) is None


def test_form_has_a_labelled_textarea_per_section_with_its_help(client, login_as, cohort):
    login_as(user=cohort.ann)
    html = text(client.get(URL))
    for sid in SECTION_IDS:
        assert f'<textarea aria-describedby="section-{sid}-help"' in html
        assert f'<p class="help" id="section-{sid}-help">' in html
    assert '<label for="section-goals">Goals</label>' in html
    assert "State two or three goals" in html
    assert 'value="save" class="button button-secondary">Save draft</button>' in html
    assert 'value="submit" class="button">Submit for review</button>' in html
    assert 'aria-live="polite"' in html
    assert re.search(r'<script src="/static/js/plan-autosave\.js(\?[^"]*)?" defer>', html)


def test_save_draft_creates_version_one_then_updates_it(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    response = client.post(URL, data={"section-goals": "Grow class sign-ups", "action": "save"})
    assert response.status_code == 302
    assert "Draft saved." in text(client.get(URL))
    client.post(URL, data={"section-goals": "Grow sign-ups to 60", "action": "save"})
    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "draft"
    assert [v.number for v in plan.versions] == [1]
    assert plan.versions[0].sections["goals"] == "Grow sign-ups to 60"
    assert plan.versions[0].submitted_at is None
    assert "Grow sign-ups to 60</textarea>" in text(client.get(URL))


def test_submit_needs_every_section(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    data = {**full_plan(), "section-risk": "   ", "action": "submit"}
    response = client.post(URL, data=data)
    assert response.status_code == 422
    html = text(response)
    assert '<p class="error" id="section-risk-error">Write this section before you submit' in html
    assert 'id="section-goals-error"' not in html
    assert "Text for goals.</textarea>" in html  # what was typed is kept
    assert plan_of(app, cohort.ann.id) is None  # nothing written


def test_a_section_over_the_limit_is_refused_with_a_clear_error(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    response = client.post(URL, data={"section-goals": "x" * 5003, "action": "save"})
    assert response.status_code == 422
    assert "Keep this to 5,000 characters; it has 5,003 (3 too many)." in text(response)
    assert plan_of(app, cohort.ann.id) is None


def test_submitted_plan_is_locked(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    response = client.post(URL, data={**full_plan(), "action": "submit"})
    assert response.status_code == 302
    page = text(client.get(URL))
    assert "Your plan is submitted." in page
    assert "<textarea" not in page
    assert "Save draft" not in page
    assert '<div class="plan-text">Text for measures.</div>' in page

    refused = client.post(URL, data={**full_plan("Changed. "), "action": "save"})
    assert refused.status_code == 409
    assert "cannot be changed until they reply" in text(refused)
    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "submitted"
    assert len(plan.versions) == 1
    assert plan.versions[0].submitted_at is not None
    assert plan.versions[0].sections["goals"] == "Text for goals."


def test_returned_plan_is_revised_in_a_new_version(
    app, client, login_as, cohort, submitted, rubric
):
    login_as(user=cohort.faculty)
    returned = client.post(
        f"/cohorts/{cohort.id}/plans/{submitted}",
        data={**rubric, "decision": "return", "comments": "Add numbers to goal 2.", "version": "1"},
    )
    assert returned.status_code == 302

    login_as(user=cohort.ann)
    page = text(client.get(URL))
    assert "Returned for revision" in page
    assert "Add numbers to goal 2." in page
    assert '<th scope="row">Goals are specific and measurable</th><td>Proficient</td>' in page
    assert "Text for goals.</textarea>" in page  # the returned text is the starting point

    client.post(URL, data={**full_plan(), "section-goals": "Goal 2: 60 by June", "action": "save"})
    client.post(
        URL, data={**full_plan(), "section-goals": "Goal 2: 60 by 30 June", "action": "save"}
    )
    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "returned"
    assert [v.number for v in plan.versions] == [1, 2]
    assert plan.versions[0].sections["goals"] == "Text for goals."  # kept unchanged
    assert plan.versions[1].sections["goals"] == "Goal 2: 60 by 30 June"
    assert plan.versions[1].submitted_at is None

    assert client.post(URL, data={**full_plan("v2 "), "action": "submit"}).status_code == 302
    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "submitted"
    assert [v.number for v in plan.versions] == [1, 2]
    assert plan.versions[0].sections["goals"] == "Text for goals."
    assert plan.versions[1].sections["goals"] == "v2 Text for goals."
    assert all(v.submitted_at for v in plan.versions)


def test_learners_never_see_each_others_plans(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    client.post(URL, data={**full_plan("Ann's secret. "), "action": "submit"})
    login_as(user=cohort.bob)
    for url in (URL, f"{URL}/print"):
        assert "Ann&#39;s secret" not in text(client.get(url))
    assert "secret" not in pdf_text(client.get(f"{URL}.pdf"))
    # Bob's own save makes his own plan; Ann's stays as she left it
    assert (
        client.post(URL, data={"section-goals": "Bob's goal", "action": "save"}).status_code == 302
    )
    assert plan_of(app, cohort.bob.id).versions[0].sections["goals"] == "Bob's goal"
    assert plan_of(app, cohort.ann.id).state == "submitted"
    # and the staff pages are not his
    ann_plan = plan_of(app, cohort.ann.id).id
    assert client.get(f"/cohorts/{cohort.id}/plans/{ann_plan}").status_code == 403
    assert client.get(f"/cohorts/{cohort.id}/plans/{ann_plan}.pdf").status_code == 403
