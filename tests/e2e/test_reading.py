"""A learner registers, reads a module, watches the progress bar move and signs out."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _registration_link(app, address: str) -> str:
    """The link in the registration mail the live server put in the shared outbox."""
    from sqlalchemy import select

    from smresidency.extensions import db
    from smresidency.mail.models import OutboxMessage

    with app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id.desc())
        )
    match = re.search(r"http://\S+/register/confirm/\S+", body or "")
    assert match, body
    return match.group(0)


def test_register_read_progress_sign_out(app, live_server, page, check_a11y, synced_course):
    page.goto(live_server + "/")
    check_a11y(page)
    page.get_by_role("link", name="Create an account").first.click()
    expect(page.get_by_label("Repeat the password")).to_be_visible()
    check_a11y(page)

    page.get_by_label("Full name").fill("Rosa Parker")
    page.get_by_label("E-mail address").fill("rosa@example.test")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 12 characters.")).to_be_visible()
    check_a11y(page)

    page.get_by_label("Password", exact=True).fill("tea with lemon at noon")
    page.get_by_label("Repeat the password").fill("tea with lemon at noon")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    check_a11y(page)
    page.goto(_registration_link(app, "rosa@example.test"))
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    page.get_by_role("link", name="Social Media Residency").last.click()
    assert page.locator("#course-progress").get_attribute("value") == "0"
    check_a11y(page)

    page.get_by_role("link", name=re.compile("^Start:")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("is marked as read")).to_be_visible()
    # the page lands on the quiz, not 4,000 px above it
    assert page.url.endswith("#quiz")
    expect(page.get_by_role("button", name="Take the quiz")).to_be_in_viewport()

    page.get_by_role("link", name="Social Media Residency").last.click()
    # read is not complete: the figure and the bar still agree on 0 of 14
    assert page.locator("#course-progress").get_attribute("value") == "0"
    expect(page.get_by_text("0 of 14 modules complete")).to_be_visible()
    expect(page.get_by_text("Read — quiz to do")).to_be_visible()
    expect(page.get_by_text(re.compile("Continue where you left off"))).to_be_visible()

    locked = page.goto(live_server + f"/courses/{synced_course}/modules/14-strategy")
    assert locked.status == 403
    expect(page.get_by_text("opens once you have completed")).to_be_visible()
    check_a11y(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(live_server + f"/courses/{synced_course}")
    assert "/login" in page.url
    check_a11y(page)


def test_keyboard_only_sign_in_with_visible_focus(live_server, page, make_user, synced_course):
    make_user("learner", email="kim@example.test")
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.locator("#email").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.type("kim@example.test")
    page.keyboard.press("Tab")
    page.keyboard.type("a long test passphrase")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Welcome back")).to_be_visible()
