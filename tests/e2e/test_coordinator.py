"""A coordinator enrols people from a spreadsheet, then filters the dashboard and exports it."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from smresidency.auth.models import User
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.cohorts.models import Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COORDINATOR = "coordinator@example.test"
NEWCOMER = ("zoe.adahl@example.test", "Zoë Ådahl")
EXISTING = ("existing.learner@example.test", "Existing Learner")
BOM = b"\xef\xbb\xbf"
# line 2 → invited, line 3 → added, line 4 → invalid e-mail, line 5 → duplicate of line 2
OUTCOMES = ["invited", "added", "invalid e-mail", "duplicate row"]


def write_spreadsheet(tmp_path):
    """What Excel writes for "CSV UTF-8" in a locale whose list separator is a semicolon."""
    lines = [
        "email;name;profession;department",
        f"{NEWCOMER[0]};{NEWCOMER[1]};Clinicians;Cardiology",
        f"{EXISTING[0]};{EXISTING[1]};education;Library",
        "not-an-address;Ivan Invalid;support;",
        f"{NEWCOMER[0].upper()};Zoë Again;clinician;Cardiology",
    ]
    path = tmp_path / "people.csv"
    path.write_bytes(BOM + "\r\n".join(lines).encode() + b"\r\n")
    return path


def shoot(page, name: str) -> None:
    """A full-page screenshot for a person to look at (phone-sized: 390 px wide)."""
    page.screenshot(path=f"/tmp/coordinator-{name}.png", full_page=True)  # noqa: S108


def mark_read(app, user_id: int, course_slug: str) -> None:
    """The learner has read the course's first module (not completed it)."""
    with app.app_context():
        module = db.session.scalar(
            select(Module)
            .join(Course, Course.id == Module.course_id)
            .where(Course.slug == course_slug, Module.retired.is_(False))
            .order_by(Module.position)
        )
        version_id = db.session.scalar(
            select(ModuleVersion.id).where(
                ModuleVersion.module_id == module.id,
                ModuleVersion.content_hash == module.current_hash,
            )
        )
        db.session.add(
            ModuleProgress(
                user_id=user_id, module_id=module.id, version_id=version_id, read_at=utcnow()
            )
        )
        db.session.commit()


def enrolments(app, cohort_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort_id)
        )


def accounts(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def grid_names(page) -> list[str]:
    return page.locator("table.grid tbody th[scope=row]").all_inner_texts()


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_import_spreadsheet_then_filter_and_export(
    live_server, page, check_a11y, app, tmp_path, make_user, make_cohort, synced_course
):
    coordinator = make_user("coordinator", email=COORDINATOR, name="Cora Coordinator")
    make_user("learner", email=EXISTING[0], name=EXISTING[1])
    cohort_id, learners = make_cohort(
        synced_course, name="Spring cohort", coordinators=[coordinator], learners=2, capacity=10
    )
    started, waiting = learners
    mark_read(app, started.id, synced_course)
    spreadsheet = write_spreadsheet(tmp_path)

    sign_in(page, live_server, COORDINATOR)
    page.goto(f"{live_server}/cohorts/{cohort_id}/people")
    expect(page.get_by_role("heading", name="People in Spring cohort", level=1)).to_be_visible()
    expect(page.get_by_text("2 of 10 places taken")).to_be_visible()
    check_a11y(page)

    page.get_by_role("link", name="Upload a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("from a spreadsheet")
    expect(page.get_by_text("8 places left of 10")).to_be_visible()
    check_a11y(page)

    page.get_by_label("CSV file").set_input_files(spreadsheet)
    page.get_by_role("button", name="Check the file").click()

    # the preview: every row's outcome, and nothing written yet
    expect(
        page.get_by_role("heading", name="Check the spreadsheet for Spring cohort")
    ).to_be_visible()
    expect(page.get_by_text("Nothing has been saved yet.")).to_be_visible()
    expect(page.get_by_text("read as UTF-8, semicolon separated")).to_be_visible()
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(4)
    for i, outcome in enumerate(OUTCOMES):
        expect(rows.nth(i).locator(".outcome")).to_have_text(outcome)
    expect(rows.nth(0)).to_contain_text(NEWCOMER[1])
    expect(rows.nth(1)).to_contain_text(EXISTING[0])
    expect(rows.nth(3)).to_contain_text("The same address is on line 2.")
    assert enrolments(app, cohort_id) == 2
    assert accounts(app, NEWCOMER[0]) == 0
    shoot(page, "report")
    check_a11y(page)

    page.get_by_role("button", name="Enrol 2 people").click()
    expect(
        page.get_by_role("heading", name="Spreadsheet enrolled in Spring cohort")
    ).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "2 people were enrolled; the other rows changed nothing."
    )
    expect(page.locator("table.import-rows tbody tr")).to_have_count(4)
    expect(page.get_by_role("button", name=re.compile("^Enrol"))).to_have_count(0)
    assert enrolments(app, cohort_id) == 4
    assert accounts(app, NEWCOMER[0]) == 1
    shoot(page, "done")
    check_a11y(page)

    page.get_by_role("link", name="Go to the cohort's dashboard").click()
    expect(page.get_by_role("heading", name="Spring cohort", level=1)).to_be_visible()
    everyone = sorted([started.name, waiting.name, NEWCOMER[1], EXISTING[1]], key=str.casefold)
    expect(page.locator("table.grid tbody th[scope=row]")).to_have_text(everyone)
    shoot(page, "dashboard")
    check_a11y(page)

    page.get_by_label("Show", exact=True).select_option("not-started")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"filter=not-started"))
    not_started = [n for n in everyone if n != started.name]
    expect(page.locator("table.grid tbody th[scope=row]")).to_have_text(not_started)
    expect(page.locator("table.grid caption")).to_contain_text("3 learners: not started")
    expect(page.get_by_label("Show", exact=True)).to_have_value("not-started")
    shoot(page, "dashboard-filtered")
    check_a11y(page)
    shown = grid_names(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these rows (CSV)").click()
    assert download.value.suggested_filename == "spring-cohort-progress.csv"
    data = download.value.path().read_bytes()
    assert data.startswith(BOM)
    table = list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))
    assert table[0][0] == "Name"
    assert [line[0] for line in table[1:]] == shown
    assert started.name not in data.decode("utf-8")
