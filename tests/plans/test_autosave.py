"""Autosave answers JSON with the same rules as "Save draft"; the script is a plain file."""

from tests.plans.conftest import COURSE, full_plan, plan_of

URL = f"/courses/{COURSE}/plan/autosave"


def test_autosave_saves_the_draft_and_answers_when(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    response = client.post(URL, data={"section-goals": "Typed so far"})
    assert response.status_code == 200
    body = response.get_json()
    plan = plan_of(app, cohort.ann.id)
    assert plan.versions[0].sections["goals"] == "Typed so far"
    saved = plan.versions[0].saved_at
    assert body["saved_at"].startswith(saved.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["version"] == 1
    # a second autosave updates the same draft
    client.post(URL, data={"section-goals": "Typed so far, and more"})
    plan = plan_of(app, cohort.ann.id)
    assert [v.sections["goals"] for v in plan.versions] == ["Typed so far, and more"]
    assert plan.state == "draft"


def test_autosave_refuses_text_over_the_limit(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    response = client.post(URL, data={"section-risk": "y" * 5001})
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"]["section-risk"] == [
        "Keep this to 5,000 characters; it has 5,001 (1 too many)."
    ]
    assert plan_of(app, cohort.ann.id) is None


def test_autosave_refuses_a_submitted_plan(app, client, login_as, cohort):
    login_as(user=cohort.ann)
    client.post(f"/courses/{COURSE}/plan", data={**full_plan(), "action": "submit"})
    response = client.post(URL, data={"section-goals": "sneaky change"})
    assert response.status_code == 409
    assert "cannot be changed" in response.get_json()["error"]
    assert plan_of(app, cohort.ann.id).versions[0].sections["goals"] == "Text for goals."


def test_autosave_without_a_cohort_is_404(client, login_as, synced_course):
    login_as("learner")
    response = client.post(URL, data={"section-goals": "x"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "You have no strategy plan in this course."


def test_autosave_is_not_reachable_by_get(client, login_as, cohort):
    login_as(user=cohort.ann)
    assert client.get(URL).status_code == 405


def test_script_is_served_and_the_form_says_where_to_save(client, login_as, cohort):
    login_as(user=cohort.ann)
    html = client.get(f"/courses/{COURSE}/plan").get_data(as_text=True)
    assert f'data-autosave-url="{URL}"' in html
    assert '<p class="autosave-status" id="autosave-status" aria-live="polite"></p>' in html
    script = client.get("/static/js/plan-autosave.js")
    assert script.status_code == 200
    source = script.get_data(as_text=True)
    assert "Draft saved at " in source and "csrf_token" in source
