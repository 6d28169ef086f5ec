"""Immersion-day pages in Chromium at three sizes: the evidence queue (filters, confirm several
at once), the projector screen and the short-code page; no sideways page scroll, axe clean."""

import pytest
from playwright.sync_api import expect

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion import evidence
from tests.e2e.conftest import ARTIFACTS, new_page
from tests.e2e.test_wide_pages import page_scrolls_sideways, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIZES = [(1280, 800), (1024, 768), (390, 844)]
LINKS = {
    "blog-post": "https://blog.example.org/2025/03/a-rather-long-address-for-a-first-post",
    "short-video": "https://www.youtube.com/watch?v=abcdefghijk",
    "instagram-post": "https://www.instagram.com/p/abcdef/",
}


@pytest.fixture
def queue_world(app, make_user, make_cohort, synced_course):
    faculty = make_user("instructor", email="queue-fay@example.test", name="Queue Faculty")
    learners = [make_user("learner", name=f"Learner {n}") for n in range(1, 5)]
    learner = make_user("learner", email="queue-ann@example.test", name="Queue Learner")
    cohort_id, _ = make_cohort(
        synced_course, name="Queue cohort", faculty=[faculty], learners=[*learners, learner]
    )
    with app.app_context():
        for user in learners:
            enrolment = db.session.query(Enrolment).filter_by(user_id=user.id).one()
            for item_id, url in LINKS.items():
                evidence.submit(enrolment.id, item_id, url, user.id)
        db.session.commit()
    return cohort_id


def shot(page, name: str) -> None:
    shots = ARTIFACTS / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / name), full_page=True)


def test_evidence_queue_fits_filters_and_confirms_several(
    live_server, browser, check_a11y, queue_world
):
    for width, height in SIZES:
        page = new_page(browser, width, height)
        sign_in(page, live_server, "queue-fay@example.test")
        page.goto(f"{live_server}/cohorts/{queue_world}/evidence")
        expect(page.get_by_role("heading", name="Waiting for review (12)")).to_be_visible()
        shot(page, f"evidence-queue-{width}.png")
        assert not page_scrolls_sideways(page), f"the queue scrolls sideways at {width}px"
        check_a11y(page)
        page.context.close()

    page = new_page(browser, 1024, 768)
    sign_in(page, live_server, "queue-fay@example.test")
    page.goto(f"{live_server}/cohorts/{queue_world}/evidence")
    page.get_by_label("Item").select_option(label="Record a short captioned video")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="Waiting for review (4)")).to_be_visible()
    boxes = page.locator('input[name="ids"]')
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_role("button", name="Confirm the selected links").click()
    expect(page.get_by_text("Confirmed 4 links: the items are ticked.")).to_be_visible()
    expect(page.get_by_role("heading", name="Reviewed (4)")).to_be_visible()
    assert "item=short-video" in page.url  # the filter is kept
    check_a11y(page)
    page.context.close()


def test_projector_and_short_code_pages(live_server, browser, check_a11y, queue_world):
    page = new_page(browser, 1280, 800)
    sign_in(page, live_server, "queue-fay@example.test")
    page.goto(f"{live_server}/cohorts/{queue_world}/checkin")
    page.get_by_role("link", name="Projector mode (full screen, no menus)").click()
    code = page.locator(".projector-short").inner_text().strip()
    assert len(code) == 6
    expect(page.locator("nav")).to_have_count(0)
    qr = page.locator(".projector-qr svg").bounding_box()
    assert qr["height"] >= 400, "the QR code should fill most of the projector's height"
    assert page.locator(".projector-short").bounding_box()["height"] >= 80
    assert not page_scrolls_sideways(page)
    shot(page, "checkin-projector-1280.png")
    check_a11y(page)  # refreshed by a script, not a meta refresh, and a link stops it
    page.get_by_role("link", name="Stop refreshing").click()
    expect(page.get_by_text("Refreshing stopped")).to_be_visible()
    assert page.url.endswith("/checkin/projector?refresh=off")
    check_a11y(page)
    page.context.close()

    for width, height in SIZES:
        page = new_page(browser, width, height)
        sign_in(page, live_server, "queue-ann@example.test")
        page.goto(f"{live_server}/checkin")
        page.get_by_label("Check-in code").fill("ABC")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("Type the 6 characters shown on the screen.")).to_be_visible()
        assert not page_scrolls_sideways(page)
        check_a11y(page)
        shot(page, f"checkin-code-{width}.png")
        page.goto(f"{live_server}/courses/social-media-residency/immersion")
        expect(
            page.get_by_role("link", name="Add the immersion day to your calendar")
        ).to_be_visible()
        assert not page_scrolls_sideways(page)
        page.context.close()
