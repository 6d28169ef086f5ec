"""An admin finds a person, changes their roles, disables them (their browser is signed out),
creates an account that receives a set-password link, reads the audit log and names the
organisation. Screenshots of the people pages are saved for docs/operators.md."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "a long test passphrase"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def _shoot(page, name: str) -> None:
    DOCS_IMG.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / f"admin-{name}.png"))


def test_admin_manages_people_in_the_browser(live_server, page, browser, check_a11y, make_user):
    make_user("admin", email="ada@example.test", name="Ada Admin")
    make_user("learner", email="lee@example.test", name="Lee Learner")
    for n in range(3):
        make_user("learner", name=f"Other Person {n}")
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, "ada@example.test")

    learner = new_page(browser)
    _sign_in(learner, live_server, "lee@example.test")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_label("Name or e-mail")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Name or e-mail").fill("lee@")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("People 1–1 of 1")).to_be_visible()  # noqa: RUF001
    _shoot(page, "people")
    page.get_by_role("link", name="Lee Learner").click()

    expect(page.get_by_role("heading", name="Lee Learner", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_label("Instructor").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_text("Roles saved.")).to_be_visible()
    expect(page.get_by_label("Instructor")).to_be_checked()
    _shoot(page, "person")

    page.get_by_role("button", name="Disable and sign out everywhere").click()
    expect(page.get_by_text("disabled and signed out everywhere")).to_be_visible()
    check_a11y(page)
    learner.goto(live_server + "/account")
    expect(learner.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Enable the account").click()
    expect(page.get_by_text("Lee Learner's account is enabled.")).to_be_visible()

    page.goto(live_server + "/admin/people/new")
    page.get_by_role("button", name="Create and send the link").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    check_a11y(page)
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("E-mail address").fill("nia@example.test")
    page.get_by_role("button", name="Create and send the link").click()
    expect(
        page.get_by_text("nia@example.test has been sent a link to set a password")
    ).to_be_visible()
    page.goto(live_server + "/dev/outbox")
    expect(page.get_by_text("created an account for you")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    for action in ("Account created", "Account enabled", "Account disabled", "Roles changed"):
        expect(page.locator("tbody").get_by_text(action, exact=True)).to_be_visible()
    check_a11y(page)
    _shoot(page, "audit")

    page.goto(live_server + "/admin/settings")
    check_a11y(page)
    page.get_by_label("Organisation name").fill("St Elsewhere Hospital")
    page.get_by_label("Accent colour").fill("#ffff00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("choose a darker colour")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Accent colour").fill("#6a1b9a")
    page.get_by_label("Privacy notice (Markdown)").fill("We keep **little** about you.")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    footer = page.locator("footer")
    expect(footer).to_contain_text("St Elsewhere Hospital")
    footer.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_text("We keep little about you.")).to_be_visible()
    check_a11y(page)  # the accent colour keeps the contrast of links and buttons
    assert not page.csp_violations and not learner.csp_violations
