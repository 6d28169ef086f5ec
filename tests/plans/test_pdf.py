"""Print view and PDFs: the learner's own, and faculty's copy; names in any script."""

from tests.plans.conftest import COURSE, full_plan, pdf_text, plan_of

PLAN = f"/courses/{COURSE}/plan"


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_learner_pdf_prints_a_cyrillic_name_and_greek_text(
    app, client, make_user, make_cohort, synced_course, login_as
):
    learner = make_user("learner", name="Светлана Ёлкина")
    make_cohort(synced_course, name="Κοόρτη Αθηνών", learners=[learner])
    login_as(user=learner)
    data = {**full_plan(), "section-goals": "Στόχος: 60 εγγραφές ανά τρίμηνο έως τον Ιούνιο."}
    client.post(PLAN, data={**data, "action": "submit"})
    response = client.get(f"{PLAN}.pdf")
    content = pdf_text(response)
    assert "Светлана Ёлкина" in content
    assert "Στόχος: 60 εγγραφές ανά τρίμηνο έως τον Ιούνιο." in content
    assert "Κοόρτη Αθηνών" in content
    assert "Social media strategy and tactics plan" in content
    assert "Platforms and why" in content and "Text for platforms." in content
    assert "Submitted for review" in content
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''strategy-plan-%D1%81%D0%B2%D0%B5%D1%82" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"


def test_pdf_file_name_and_long_text_wrap(client, login_as, cohort):
    login_as(user=cohort.ann)
    long = " ".join(["Weekly educator tip about healthy eating at home."] * 60)
    client.post(PLAN, data={"section-pillars": long, "action": "save"})
    response = client.get(f"{PLAN}.pdf")
    content = pdf_text(response)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="strategy-plan-ann-archer.pdf"'
    )
    assert "Ann Archer" in content
    words = content.split()  # every word printed, wrapped over lines and onto a second page
    assert words.count("Weekly") == 60 and words.count("home.") == 60
    assert "page 2/2" in content
    assert "Draft" in content
    assert "(not written yet)" in content  # the sections still empty


def test_faculty_pdf_has_the_review_summary(app, client, login_as, cohort, submitted, rubric):
    login_as(user=cohort.faculty)
    client.post(
        f"/cohorts/{cohort.id}/plans/{submitted}",
        data={
            **rubric,
            "decision": "return",
            "comments": "Name the escalation path.",
            "version": "1",
        },
    )
    content = pdf_text(client.get(f"/cohorts/{cohort.id}/plans/{submitted}.pdf"))
    assert "Ann Archer" in content and "Text for resources." in content
    assert "Faculty review" in content and "Returned" in content
    assert "Name the escalation path." in content
    assert "Goals are specific and measurable: Proficient" in content
    login_as(user=cohort.coordinator)
    assert "Ann Archer" in pdf_text(client.get(f"/cohorts/{cohort.id}/plans/{submitted}.pdf"))


def test_print_view_is_the_plan_without_the_form(client, login_as, cohort):
    login_as(user=cohort.ann)
    client.post(PLAN, data={**full_plan(), "action": "save"})
    response = client.get(f"{PLAN}/print")
    assert response.status_code == 200
    html = text(response)
    assert '<div class="plan-print">' in html
    assert '<div class="plan-text">Text for audiences.</div>' in html
    assert "<textarea" not in html and '<form method="post" action="/courses' not in html
    assert 'class="no-print plan-links"' in html


def test_print_css_hides_the_chrome(client):
    css = client.get("/static/app.css").get_data(as_text=True)
    printing = css[css.rindex("@media print") :]
    for selector in (".site-header", ".site-footer", "nav", "button", ".plan-links"):
        assert selector in printing


def test_pdf_needs_an_enrolment(client, login_as, synced_course, cohort):
    login_as("learner")
    assert client.get(f"{PLAN}.pdf").status_code == 404
    assert "not in an active cohort" in text(client.get(f"{PLAN}/print"))


def test_review_pdf_of_an_earlier_version(app, client, login_as, cohort, submitted, rubric):
    login_as(user=cohort.faculty)
    client.post(
        f"/cohorts/{cohort.id}/plans/{submitted}",
        data={**rubric, "decision": "return", "comments": "Revise.", "version": "1"},
    )
    login_as(user=cohort.ann)
    client.post(PLAN, data={**full_plan("Second: "), "action": "submit"})
    assert [v.number for v in plan_of(app, cohort.ann.id).versions] == [1, 2]
    login_as(user=cohort.faculty)
    base = f"/cohorts/{cohort.id}/plans/{submitted}.pdf"
    assert "Second: Text for goals." in pdf_text(client.get(base))
    first = pdf_text(client.get(base + "?version=1"))
    assert "Second:" not in first and "Text for goals." in first and "Revise." in first
