"""An instructor edits a module in the studio, meets a validation error, fixes it and publishes;
a learner then reads the new text."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import in_chromium, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NEW_TEXT = "Studio check: reply to public questions within one working day."
BROKEN = "\n### Which answer is right?\n- [ ] None of these\n- [ ] Not this one either\n"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("a long test passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_edit_validate_fix_publish_then_learner_reads(
    live_server, page, check_a11y, make_user, synced_course
):
    make_user("instructor", email="ines@example.test")
    make_user("learner", email="leo@example.test")
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, "ines@example.test")

    page.get_by_role("link", name="Studio").click()
    expect(page.get_by_role("heading", name="Content studio")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Why social media matters in health care").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("01-why-social-media.md")
    check_a11y(page)

    body = page.get_by_label("Lesson and quiz (Markdown)")
    original = body.input_value()
    body.fill(NEW_TEXT + "\n\n" + original + BROKEN)
    # The live preview (JavaScript) shows the new paragraph and the problem without saving.
    preview = page.locator("#studio-preview")
    expect(preview.get_by_text(NEW_TEXT)).to_be_visible()
    # the problem (the quality warnings below it may name the same file)
    expect(preview.locator(".studio-problems")).to_contain_text("modules/01-why-social-media.md:")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Not published:")).to_be_visible()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("modules/01-why-social-media.md:")
    expect(problems).to_contain_text("lesson and quiz box")
    check_a11y(page)

    body = page.get_by_label("Lesson and quiz (Markdown)")
    assert NEW_TEXT in body.input_value()  # nothing lost
    body.fill(body.input_value().replace(BROKEN, "\n"))
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published 01-why-social-media.md.")).to_be_visible()
    check_a11y(page)

    def learner(browser):
        other = new_page(browser)
        _sign_in(other, live_server, "leo@example.test")
        other.goto(live_server + f"/courses/{synced_course}/modules/01-why-social-media")
        expect(other.get_by_text(NEW_TEXT)).to_be_visible()
        assert not other.csp_violations

    in_chromium(learner)


def test_every_studio_page_is_accessible(live_server, page, check_a11y, make_user, synced_course):
    make_user("instructor", email="ines@example.test")
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server, "ines@example.test")
    base = f"{live_server}/studio/{synced_course}"
    for path in (
        "/pages/immersion",
        "/pages/plan",
        "/modules/facebook/history",
        "/modules/new",
        "/order",
        "/modules/strategy/retire",
        "/images",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        check_a11y(page)
    page.goto(live_server + "/studio/import")
    check_a11y(page)
    # A diff needs two versions: publish a small change, then compare.
    page.goto(base + "/pages/plan")
    text = page.get_by_label("File text (Markdown with front matter)")
    text.fill(text.input_value().rstrip("\n") + "\n\nKeep each section short.\n")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published Strategy plan template.")).to_be_visible()
    page.goto(base + "/pages/plan/history")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("Keep each section short.")).to_be_visible()
    check_a11y(page)
