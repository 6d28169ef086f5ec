"""Issue 14's "done when" for faculty: a whole learner's row ticked on a tablet, landscape and
portrait, every tap target at least 44 px and inside the window (no sideways scrolling)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion.models import CheckOffEvent
from tests.e2e.conftest import new_page
from tests.e2e.test_every_page import shots_dir
from tests.e2e.test_wide_pages import page_scrolls_sideways, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TABLETS = [(1024, 768), (768, 1024)]
FACULTY = "tablet.faculty@example.test"
TOGGLES = 13  # 16 items: attendance is checked in by hand, plan and rating follow facts


@pytest.fixture
def tablet_day(app, make_user, make_cohort, synced_course):
    faculty = make_user("instructor", email=FACULTY, name="Dr Tab Faculty")
    learners = [make_user("learner", name=f"Resident {n:02d}") for n in range(1, 21)]
    cohort_id, _ = make_cohort(
        synced_course, name="Tablet cohort", faculty=[faculty], learners=learners
    )
    with app.app_context():
        ids = {
            u.name: db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == u.id))
            for u in learners
        }
    return cohort_id, ids


def boxes_fit(page, locator, width: int) -> int:
    """Every match is at least 44 x 44 px and inside the window; how many there are."""
    count = locator.count()
    for i in range(count):
        box = locator.nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (i, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (i, box, width)
    return count


def events_for(app, enrolment_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(CheckOffEvent)
            .where(CheckOffEvent.enrolment_id == enrolment_id)
        )


def test_faculty_tick_a_whole_row_on_a_tablet(
    live_server, browser, check_a11y, database_url, app, tablet_day
):
    cohort_id, ids = tablet_day
    shots = shots_dir(database_url)
    for (width, height), name in zip(TABLETS, ("Resident 07", "Resident 20"), strict=True):
        page = new_page(browser, width, height, has_touch=True)
        sign_in(page, live_server, FACULTY)
        page.goto(f"{live_server}/cohorts/{cohort_id}/roster")
        expect(page.locator(".roster-row")).to_have_count(20)
        assert not page_scrolls_sideways(page), f"the roster scrolls sideways at {width}px"
        check_a11y(page)
        page.screenshot(path=str(shots / f"roster-tablet-{width}x{height}.png"))

        row = page.locator(f"#learner-{ids[name]}")
        row.scroll_into_view_if_needed()
        # the day's sessions, in order, as the row's groups
        groups = row.locator(".roster-group-title")
        expect(groups.first).to_have_text(re.compile(r"^08:30 Check in"))
        expect(groups.last).to_have_text("Any time in the day")
        buttons = row.locator("button.tick-button")
        assert boxes_fit(page, buttons, width) == TOGGLES
        # derived cells are read-only with a link; attendance by hand asks for a reason
        expect(row.locator(".is-derived button")).to_have_count(0)
        assert boxes_fit(page, row.locator(".derived-link, .by-hand-link"), width) == 3
        assert boxes_fit(page, row.locator(".roster-link"), width) == 2
        for i in range(TOGGLES):
            button = buttons.nth(i)
            button.tap()
            expect(button).to_contain_text("✓ Ticked")
        expect(row.locator(".roster-done")).to_have_text(f"{TOGGLES} of 16 done")
        expect(page.locator("#roster-status")).to_contain_text(f"ticked for {name}.")
        assert events_for(app, ids[name]) == TOGGLES
        page.screenshot(path=str(shots / f"roster-row-ticked-{width}x{height}.png"))

        page.reload()  # the server kept every tick
        row = page.locator(f"#learner-{ids[name]}")
        expect(row.locator(".roster-cell.is-ticked")).to_have_count(TOGGLES)
        expect(row.get_by_role("link", name=re.compile("^Evidence"))).to_have_attribute(
            "href", f"/cohorts/{cohort_id}/evidence?learner={ids[name]}"
        )
        check_a11y(page)
        page.context.close()


def test_without_javascript_each_tap_posts_and_returns_to_the_row(
    live_server, browser, app, tablet_day
):
    cohort_id, ids = tablet_day
    page = new_page(browser, 768, 1024, java_script_enabled=False)
    sign_in(page, live_server, FACULTY)
    page.goto(f"{live_server}/cohorts/{cohort_id}/roster")
    eid = ids["Resident 12"]
    for i in range(2):
        row = page.locator(f"#learner-{eid}")
        row.locator("button.tick-button").nth(i).click()
        expect(page).to_have_url(re.compile(rf"/roster#learner-{eid}$"))
        expect(page.get_by_role("status").first).to_contain_text("ticked for Resident 12.")
    assert not page_scrolls_sideways(page)
    boxes_fit(page, page.locator(f"#learner-{eid} button.tick-button"), 768)
    expect(page.locator(f"#learner-{eid} .roster-cell.is-ticked")).to_have_count(2)
    # one session at a time: a tap comes back to the same session and the learner's row
    page.get_by_role("link", name=re.compile("^10:30 Facebook and Instagram")).click()
    expect(page.locator(f"#learner-{eid} button.tick-button")).to_have_count(2)
    page.locator(f"#learner-{eid} button.tick-button").first.click()
    expect(page).to_have_url(re.compile(rf"/roster\?session=\d+#learner-{eid}$"))
    expect(page.locator(f"#learner-{eid} .roster-done")).to_have_text("3 of 16 done")
    assert not page_scrolls_sideways(page)
    assert events_for(app, eid) == 3
    page.context.close()
