"""With a real queue (not run in the web process), a PDF not made yet is asked of the job
worker: the learner sees a page that says so and tries again, then gets the PDF."""

import pytest
from sqlalchemy import select

from smresidency.extensions import db
from smresidency.jobs.models import DONE, FAILED, PENDING, Job
from tests.certificates.test_pdf import certificate_of, read_pdf, tick


@pytest.fixture
def app_config():
    return {"JOBS_EAGER": False}


def pdf_jobs(app) -> list[Job]:
    with app.app_context():
        jobs = db.session.scalars(
            select(Job).where(Job.kind == "certificates.pdf").order_by(Job.id)
        ).all()
        db.session.expunge_all()
    return jobs


def run(app, job_id: int) -> str | None:
    from smresidency.jobs.services import run_job

    with app.app_context():
        return run_job(job_id)


def test_issuing_enqueues_one_pdf_job_per_paper_size(app, nearly_done):
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    jobs = pdf_jobs(app)
    assert sorted(j.payload["paper"] for j in jobs) == ["a4", "letter"]
    assert {j.payload["certificate_id"] for j in jobs} == {cert.id}
    assert {j.status for j in jobs} == {PENDING}


def test_a_pdf_not_made_yet_answers_a_page_that_refreshes_then_the_pdf(app, nearly_done):
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    client = nearly_done["client"]

    waiting = client.get(f"/certificates/{cert.id}.pdf?paper=letter")
    assert waiting.status_code == 202
    assert waiting.mimetype == "text/html"
    page = waiting.get_data(as_text=True)
    assert "Your certificate is being prepared" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert f'href="/certificates/{cert.id}.pdf?paper=letter"' in page
    asked = [j for j in pdf_jobs(app) if not j.key.endswith(":issued")]
    assert len(asked) == 1  # asked once, whatever the number of refreshes
    client.get(f"/certificates/{cert.id}.pdf?paper=letter")
    assert len([j for j in pdf_jobs(app) if not j.key.endswith(":issued")]) == 1

    for job in pdf_jobs(app):  # the worker catches up
        run(app, job.id)
    assert {j.status for j in pdf_jobs(app)} == {DONE}
    read_pdf(client.get(f"/certificates/{cert.id}.pdf?paper=letter"))


def test_a_pdf_whose_job_failed_says_so_and_asks_nothing_more(app, nearly_done):
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    client = nearly_done["client"]
    client.get(f"/certificates/{cert.id}.pdf")
    (asked,) = [j for j in pdf_jobs(app) if not j.key.endswith(":issued")]
    with app.app_context():
        db.session.get(Job, asked.id).status = FAILED
        db.session.commit()
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "could not be made" in page and "http-equiv" not in page
    assert len(pdf_jobs(app)) == 3


def test_a_pdf_made_then_replaced_is_asked_for_again(app, nearly_done):
    from smresidency.certificates.stored_models import StoredPdf

    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    client = nearly_done["client"]
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 202
    for job in pdf_jobs(app):
        run(app, job.id)
    read_pdf(client.get(f"/certificates/{cert.id}.pdf"))
    with app.app_context():  # e.g. the signer changed and changed back: the PDF was replaced
        db.session.execute(db.delete(StoredPdf))
        db.session.commit()
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 202
    (again,) = [j for j in pdf_jobs(app) if j.status == PENDING]
    assert not again.key.endswith(":issued")
    run(app, again.id)
    read_pdf(client.get(f"/certificates/{cert.id}.pdf"))
