"""plan.md's acceptance rule: faculty cannot accept scores that break it, and are told why."""

from smresidency.plans.rubric import refusal
from tests.plans.conftest import plan_of, rubric_data

SPEC = {
    "levels": ["Beginning", "Developing", "Proficient", "Exemplary"],
    "criteria": [{"id": "goals", "title": "Goals"}, {"id": "risk", "title": "Risk"}],
    "accept_minimum": "Developing",
    "accept_required": {"risk": "Proficient"},
}


def test_the_rule_names_each_criterion_below_its_floor():
    assert refusal(SPEC, {"goals": 1, "risk": 2}) is None
    assert refusal(SPEC, {"goals": 3, "risk": 3}) is None
    why = refusal(SPEC, {"goals": 0, "risk": 1})
    assert "“Goals” is scored Beginning and needs at least Developing" in why
    assert "“Risk” is scored Developing and needs at least Proficient" in why
    assert refusal({**SPEC, "accept_minimum": "", "accept_required": {}}, {"goals": 0}) is None


def test_accept_below_the_rule_is_refused_with_the_reason_and_the_scores_kept(
    app, client, login_as, cohort, submitted
):
    login_as(user=cohort.faculty)
    url = f"/cohorts/{cohort.id}/plans/{submitted}"
    with app.app_context():
        data = rubric_data()
    data |= {"level-risk-managed": "1", "decision": "accept", "version": "1"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = " ".join(response.get_data(as_text=True).split())
    assert "This plan cannot be accepted under the rubric" in page
    assert "is scored Developing and needs at least Proficient" in page
    assert '<input checked id="level-risk-managed-1"' in page  # the reviewer's scores stay
    plan = plan_of(app, cohort.ann.id)
    assert plan.state == "submitted" and plan.reviews == []
    # returning the same scores with comments is allowed
    data |= {"decision": "return", "comments": "Add an escalation plan with time limits."}
    assert client.post(url, data=data).status_code == 302
    assert plan_of(app, cohort.ann.id).state == "returned"


def test_the_review_form_shows_what_each_level_means(client, login_as, cohort, submitted):
    login_as(user=cohort.faculty)
    page = client.get(f"/cohorts/{cohort.id}/plans/{submitted}").get_data(as_text=True)
    assert "<legend>A crisis can be handled</legend>" in page
    assert "<legend>Generative AI is used safely</legend>" in page
    assert "<dt>Beginning</dt><dd>No escalation plan.</dd>" in page
    assert page.count('<dl class="level-guide">') == 9


def test_shipped_rubric_describes_every_level_and_declares_the_rule(app):
    from pathlib import Path

    from smresidency.catalog.loader import load_content

    (course,), problems = load_content(Path(app.root_path).parents[1] / "course_content")
    assert problems == []
    plan = course.plan
    assert len(plan.levels) == 4
    for c in plan.criteria:
        assert list(c.level_text) == plan.levels, c.id
        assert "- Beginning:" not in c.description
    assert plan.accept_minimum == "Developing"
    assert plan.accept_required["risk-managed"] == "Proficient"
    assert {"crisis-ready", "ai-use"} <= {c.id for c in plan.criteria}
