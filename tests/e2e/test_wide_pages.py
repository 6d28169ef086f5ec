"""Staff data pages fit the window: no sideways page scroll, the name column stays in view."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIZES = [(1280, 800), (1024, 768), (390, 844)]


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def page_scrolls_sideways(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def test_dashboard_fits_every_width_and_keeps_the_name_column(
    live_server, browser, check_a11y, make_user, make_cohort, synced_course
):
    coordinator = make_user("coordinator", email="wide@example.test", name="Wide Coordinator")
    cohort_id, _ = make_cohort(
        synced_course, name="Wide cohort", coordinators=[coordinator], learners=55, capacity=60
    )
    shots = ARTIFACTS / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page = new_page(browser, width, height)
        sign_in(page, live_server, "wide@example.test")
        page.goto(f"{live_server}/cohorts/{cohort_id}")
        rows = page.locator("table.grid tbody tr")
        expect(rows).to_have_count(50)  # the first page of 55
        expect(page.locator("table.grid caption")).to_contain_text("showing 1\u201350")
        assert not page_scrolls_sideways(page), f"page scrolls sideways at {width}px"
        page.screenshot(path=str(shots / f"dashboard-{width}.png"), full_page=True)

        region = page.locator(".grid-scroll")
        first_name = page.locator("table.grid tbody th[scope=row]").first
        before = first_name.bounding_box()["x"]
        region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        assert region.evaluate("el => el.scrollLeft") > 0, "the grid should scroll inside itself"
        assert abs(first_name.bounding_box()["x"] - before) < 1, "the name column moved away"
        check_a11y(page)

        page.get_by_role("link", name="Next").first.click()
        expect(rows).to_have_count(5)
        page.get_by_role("link", name="Hide modules columns").click()
        expect(page.locator("table.grid thead th")).to_have_count(
            9
        )  # name … status, without the ten modules
        expect(rows).to_have_count(5)  # still on page 2
        page.context.close()


def test_studio_editor_keeps_its_margins_and_an_opaque_action_bar(
    live_server, browser, check_a11y, make_user, synced_course
):
    make_user("instructor", email="studio-wide@example.test", name="Ines Instructor")
    shots = ARTIFACTS / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page = new_page(browser, width, height)
        sign_in(page, live_server, "studio-wide@example.test")
        page.goto(f"{live_server}/studio/{synced_course}/modules/facebook")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
        assert not page_scrolls_sideways(page), f"page scrolls sideways at {width}px"
        bar = page.locator(".studio-actions")
        colour = bar.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
        if width >= 1100:
            left = page.get_by_label("Title").bounding_box()["x"]
            assert left >= 32, f"the form starts {left}px from the window's edge"
        page.screenshot(path=str(shots / f"studio-editor-{width}.png"))
        check_a11y(page)
        page.context.close()


def test_spreadsheet_check_shows_why_a_row_failed_without_scrolling(
    live_server, browser, check_a11y, tmp_path, make_user, make_cohort, synced_course
):
    from tests.e2e.test_coordinator import write_spreadsheet

    coordinator = make_user("coordinator", email="csv-wide@example.test", name="Cy Coordinator")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator], capacity=10)
    spreadsheet = write_spreadsheet(tmp_path)
    for width, height in SIZES[:2]:
        page = new_page(browser, width, height)
        sign_in(page, live_server, "csv-wide@example.test")
        page.goto(f"{live_server}/cohorts/{cohort_id}/import")
        page.get_by_label("CSV file").set_input_files(spreadsheet)
        page.get_by_role("button", name="Check the file").click()
        details = page.get_by_text("The same address is on line 2.")
        expect(details).to_be_visible()
        box = details.bounding_box()
        assert box["x"] + box["width"] <= width, f"the reason is off-screen at {width}px"
        assert not page_scrolls_sideways(page)
        page.screenshot(path=str(ARTIFACTS / "screens" / f"csv-check-{width}.png"), full_page=True)
        check_a11y(page)
        page.context.close()


def test_a_lesson_table_on_a_phone_scrolls_in_place_and_shows_there_is_more(
    live_server, browser, check_a11y, make_user, synced_course
):
    make_user("learner", email="phone-table@example.test", name="Pat Phone")
    page = new_page(browser, 390, 844)
    sign_in(page, live_server, "phone-table@example.test")
    page.goto(f"{live_server}/courses/{synced_course}/modules/01-why-social-media")
    region = page.locator(".prose .table-scroll").first
    region.scroll_into_view_if_needed()
    assert not page_scrolls_sideways(page)
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: no cue needed"
    cue = region.evaluate("el => getComputedStyle(el).backgroundImage")
    assert "radial-gradient" in cue  # the edge shadow that says there is more to the right
    region.screenshot(path=str(ARTIFACTS / "screens" / "lesson-table-390.png"))
    check_a11y(page)
    page.context.close()
