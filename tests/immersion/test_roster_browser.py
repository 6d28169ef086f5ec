"""In a real browser: faculty tick cells without a reload (and with script off), and a
learner checks in from the code on the screen.

Chromium runs on a thread of its own: Playwright's sync API allows one instance per thread,
and the e2e package's session-wide browser may already hold the main one.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from smresidency.immersion.models import CheckOff, CheckOffEvent
from tests.conftest import PASSWORD
from tests.e2e import conftest as e2e
from tests.e2e.conftest import in_chromium, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# the e2e server and axe check hold no browser, so sharing them is safe
live_server, axe_source, check_a11y = e2e.live_server, e2e.axe_source, e2e.check_a11y


FACULTY = "faye.faculty@example.test"
LEARNER = "abe.adams@example.test"
BRIEFING = "Welcome, ground rules and policy briefing"


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def cohort(synced_course, make_user, make_cohort):
    faculty = make_user("instructor", email=FACULTY, name="Dr Faye Faculty")
    learner = make_user("learner", email=LEARNER, name="Abe Adams")
    cohort_id, _ = make_cohort(
        synced_course,
        name="March cohort",
        faculty=[faculty],
        learners=[learner, make_user()],
        immersion_in_days=0,  # QR codes are accepted only on the immersion day
    )
    return cohort_id


def states(app) -> list[tuple]:
    with app.app_context():
        from smresidency.extensions import db

        return [
            tuple(r)
            for r in db.session.execute(
                select(CheckOffEvent.item_id, CheckOffEvent.action).order_by(CheckOffEvent.id)
            )
        ]


def test_faculty_tick_and_untick_without_a_reload(live_server, check_a11y, app, cohort):
    def body(browser):
        page = new_page(browser, 1024, 768)
        sign_in(page, live_server, FACULTY)
        page.goto(f"{live_server}/cohorts/{cohort}/roster")
        expect(
            page.get_by_role("heading", name="Immersion checklist: March cohort")
        ).to_be_visible()
        check_a11y(page)
        page.evaluate("() => { window.notReloaded = true; }")
        cell = page.get_by_role("button", name=re.compile(f"{re.escape(BRIEFING)}, Abe Adams"))
        expect(cell).to_contain_text("Not yet")
        box = cell.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        cell.click()
        expect(cell).to_contain_text("✓ Ticked")
        by = cell.locator("xpath=ancestor::li[contains(@class, 'roster-cell')]").locator(".tick-by")
        expect(by).to_have_text(re.compile(r"^by Dr Faye Faculty, \d\d:\d\d$"))
        expect(page.locator("#roster-status")).to_have_text(f"{BRIEFING}: ticked for Abe Adams.")
        assert page.evaluate("() => window.notReloaded === true")
        cell.click()
        expect(cell).to_contain_text("Not yet")
        expect(by).to_have_text("")
        expect(page.locator("#roster-status")).to_have_text(
            f"{BRIEFING}: not ticked for Abe Adams."
        )
        assert page.evaluate("() => window.notReloaded === true")
        assert states(app) == [("welcome-briefing", "tick"), ("welcome-briefing", "untick")]
        check_a11y(page)

        page.get_by_role("link", name="Abe Adams", exact=True).click()
        expect(page.get_by_role("heading", name="Checklist history: Abe Adams")).to_be_visible()
        expect(page.locator("table.roster-history tbody tr")).to_have_count(2)
        check_a11y(page)

    in_chromium(body)


def test_without_script_a_tick_comes_back_to_the_row(live_server, app, cohort):
    def body(browser):
        page = new_page(browser, 1024, 768, java_script_enabled=False)
        sign_in(page, live_server, FACULTY)
        page.goto(f"{live_server}/cohorts/{cohort}/roster")
        page.get_by_role("button", name=re.compile(f"{re.escape(BRIEFING)}, Abe Adams")).click()
        expect(page).to_have_url(re.compile(r"/roster#learner-\d+$"))
        expect(page.get_by_role("status").first).to_contain_text(
            f"{BRIEFING}: ticked for Abe Adams."
        )
        cell = page.get_by_role("button", name=re.compile(f"{re.escape(BRIEFING)}, Abe Adams"))
        expect(cell).to_contain_text("✓ Ticked")

    in_chromium(body)
    assert states(app) == [("welcome-briefing", "tick")]


def test_a_learner_checks_in_from_the_screen(live_server, check_a11y, app, cohort):
    def body(browser):
        page = new_page(browser, 1024, 768)
        sign_in(page, live_server, FACULTY)
        page.goto(f"{live_server}/cohorts/{cohort}/checkin")
        code = page.get_by_role("img", name=re.compile("check in to March cohort"))
        expect(code).to_be_visible()
        assert not page.csp_violations
        # the long address sits in a collapsed "details"; the short code is what people type
        url = page.locator(".qr-url").text_content().strip()
        assert page.locator(".qr-url").get_attribute("href") == url
        page.goto(f"{live_server}/cohorts/{cohort}/checkin?refresh=off")  # axe rejects refresh
        check_a11y(page)

        learner = new_page(browser)  # a phone, signed out
        learner.goto(url)
        expect(learner).to_have_url(re.compile(r"/login\?next="))
        learner.get_by_label("E-mail address").fill(LEARNER)
        learner.get_by_label("Password").fill(PASSWORD)
        learner.get_by_role("button", name="Sign in").click()
        expect(learner.get_by_role("heading", name="Check in to March cohort")).to_be_visible()
        check_a11y(learner)
        learner.get_by_role("button", name="Check me in").click()
        expect(learner.get_by_role("status").last).to_contain_text("You are checked in")
        check_a11y(learner)

        page.goto(f"{live_server}/cohorts/{cohort}/checkin?refresh=off")
        expect(page.locator(".checkin-count")).to_contain_text("1 of 2")

    in_chromium(body)
    with app.app_context():
        from smresidency.extensions import db

        row = db.session.scalar(select(CheckOff))
        assert (row.item_id, row.checked) == ("check-in", True)
    assert states(app) == [("check-in", "checkin")]


PLAN = "Social media strategy and tactics plan"
RATING = "Rate yourself after the residency"


def test_faculty_cannot_tick_the_plan_or_rating_and_a_forged_post_is_refused(
    live_server, check_a11y, app, cohort
):
    def body(browser):
        page = new_page(browser, 1280, 800)
        sign_in(page, live_server, FACULTY)
        page.goto(f"{live_server}/cohorts/{cohort}/roster")
        abe = page.get_by_role("link", name="Abe Adams", exact=True)
        row = page.locator(".roster-row", has=abe)
        for title in (PLAN, RATING):
            expect(page.get_by_role("button", name=re.compile(re.escape(title)))).to_have_count(0)
        review = re.compile(rf"^Open the plan review ?: {re.escape(PLAN)}, Abe Adams$")
        expect(row.get_by_role("link", name=review)).to_be_visible()
        report = re.compile(rf"^Ratings report ?: {re.escape(RATING)}, Abe Adams$")
        expect(row.get_by_role("link", name=report)).to_be_visible()
        expect(row).to_contain_text("No plan yet")
        expect(row).to_contain_text("Not rated yet")
        check_a11y(page)

        # a POST made by hand, with the page's own CSRF token, as a determined user would
        action = page.locator("form[data-tick]").first.get_attribute("action")
        forged = re.sub(r"/[^/]+$", "/strategy-plan", action)
        answer = page.evaluate(
            """async (url) => {
                const token = document.querySelector("input[name=csrf_token]").value;
                const body = new URLSearchParams({csrf_token: token, checked: "1"});
                const r = await fetch(url, {method: "POST", body,
                    headers: {"Accept": "application/json", "X-CSRFToken": token}});
                return [r.status, (await r.json()).error];
            }""",
            forged,
        )
        assert answer[0] == 409 and "cannot be ticked by hand" in answer[1]
        page.reload()
        expect(row).to_contain_text("No plan yet")
        expect(row).not_to_contain_text("✓ No plan yet")

    in_chromium(body)
    with app.app_context():
        from smresidency.extensions import db

        assert db.session.scalars(select(CheckOff)).all() == []
    assert states(app) == []


def test_checking_in_by_hand_needs_a_reason(live_server, check_a11y, app, cohort):
    def body(browser):
        page = new_page(browser, 1024, 768)
        sign_in(page, live_server, FACULTY)
        page.goto(f"{live_server}/cohorts/{cohort}/roster")
        page.get_by_role("link", name=re.compile(r"^Check in by hand ?: Abe Adams$")).click()
        expect(page.get_by_role("heading", name="Check in Abe Adams by hand")).to_be_visible()
        check_a11y(page)
        page.get_by_role("button", name="Check in Abe Adams").click()
        expect(page.get_by_text("Say why you are checking this learner in by hand")).to_be_visible()
        check_a11y(page)
        page.get_by_label("Why are you checking them in by hand?").fill("checked in on paper")
        page.get_by_role("button", name="Check in Abe Adams").click()
        expect(page).to_have_url(re.compile(r"/roster#learner-\d+$"))
        abe = page.get_by_role("link", name="Abe Adams", exact=True)
        row = page.locator(".roster-row", has=abe)
        expect(row).to_contain_text("(checked in on paper)")

    in_chromium(body)
    assert states(app) == [("check-in", "tick")]
