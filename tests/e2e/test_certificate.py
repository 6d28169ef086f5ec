"""A learner finishes the last item, sees their certificate, downloads the PDF (once the job
worker has made it), and the verification page reached from the certificate's QR address
says it is valid."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from tests.certificates.conftest import IMMERSION
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def one_step_left(app, write_course, make_user, make_cohort):
    """Module 01 read and the check-in ticked: module 02 is all that is left."""
    root = write_course(modules={"01-start": {}, "02-finish": {"requires": ["01-start"]}})
    (root / "test-course" / "course.md").write_text(
        "---\ntitle: Test residency\nhours: 12\norganisation: Test Hospital\n---\nCourse.\n"
    )
    (root / "test-course" / "immersion.md").write_text(IMMERSION)
    with app.app_context():
        sync_content(root)
        db.session.commit()
    learner = make_user("learner", email="finisher@example.test", name="Ірина Шевченко")
    faculty = make_user("instructor")
    make_cohort("test-course", learners=[learner], faculty=[faculty])
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion.services import set_checked
    from smresidency.learning.queries import course_outline
    from smresidency.learning.services import mark_read

    with app.test_request_context(), app.app_context():
        enrolment = db.session.scalar(select(Enrolment.id))
        first = course_outline("test-course", learner.id).modules[0].version
        mark_read(learner.id, first)
        set_checked(enrolment, "check-in", True, faculty.id)
        db.session.commit()
    return learner


def run_pdf_jobs(app) -> None:
    from smresidency.jobs.models import PENDING, Job
    from smresidency.jobs.services import run_job

    with app.app_context():
        pending = select(Job.id).where(Job.kind == "certificates.pdf", Job.status == PENDING)
        for job_id in db.session.scalars(pending).all():
            assert run_job(job_id) == "done"


def test_finish_see_download_and_verify(live_server, page, check_a11y, one_step_left, app):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill("finisher@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()

    page.goto(live_server + "/certificates")
    expect(page.get_by_text("You have no certificate yet")).to_be_visible()

    page.goto(live_server + "/courses/test-course/modules/02-finish")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("is complete")).to_be_visible()

    page.get_by_role("link", name="Certificates", exact=True).click()
    page.get_by_role("link", name="Test residency").click()
    expect(page.get_by_text("Ірина Шевченко")).to_be_visible()
    expect(page.get_by_text("Certificate of completion")).to_be_visible()
    check_a11y(page)

    # the live server runs no job worker: the PDF is not made yet, and the page says so
    page.get_by_role("link", name="PDF, A4").click()
    expect(page.get_by_text("Your certificate is being prepared")).to_be_visible()
    check_a11y(page)
    run_pdf_jobs(app)  # what `flask worker` does
    with page.expect_download() as download:
        page.get_by_role("link", name="Try the download again").click()
    pdf = download.value
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Ірина Шевченко" in text

    page.get_by_role("link", name="Back to the certificate").click()
    verify_link = page.get_by_role("link", name="/verify/")
    verify_url = verify_link.get_attribute("href")
    assert verify_url.split("/verify/")[1].replace("-", "").isalnum()
    assert verify_url.split("/verify/")[1] in text.replace("\n", "")  # the QR's address
    page.goto(verify_url)
    expect(page.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    expect(page.get_by_text("Ірина Шевченко")).to_be_visible()
    check_a11y(page)
