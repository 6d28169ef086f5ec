"""Devices in Chromium: two browsers signed in as one person; one signs the other out from
the account page, and a cookie copied before "Sign out" is refused afterwards."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import in_chromium, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "a long test passphrase"
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_sign_out_another_device_and_a_copied_cookie(live_server, make_user, check_a11y):
    make_user("learner", email="dev@example.test", password=PASSWORD)

    def body(browser):
        laptop = new_page(browser, width=1280, height=900)
        phone = new_page(browser, user_agent=PHONE_UA)
        sign_in(phone, live_server, "dev@example.test")
        sign_in(laptop, live_server, "dev@example.test")

        laptop.goto(live_server + "/account")
        devices = laptop.get_by_role("table")
        expect(devices.get_by_role("row")).to_have_count(3)  # header and two devices
        expect(devices.get_by_text("(this device)")).to_have_count(1)
        expect(devices.get_by_role("rowheader", name="Safari on iPhone")).to_be_visible()
        check_a11y(laptop)

        phone_row = devices.get_by_role("row").filter(has_text="Safari on iPhone")
        phone_row.get_by_role("button", name="Sign out this device").click()
        expect(laptop.get_by_text("That device is signed out.")).to_be_visible()
        expect(laptop.get_by_role("table").get_by_role("row")).to_have_count(2)

        phone.goto(live_server + "/account")
        assert "/login" in phone.url

        # a thief copies the laptop's cookie; after "Sign out" the copy is worthless
        thief = new_page(browser)
        thief.context.add_cookies(laptop.context.cookies())
        thief.goto(live_server + "/account")
        expect(thief.get_by_role("heading", name="Your account")).to_be_visible()
        laptop.get_by_role("button", name="Sign out", exact=True).click()
        expect(laptop.get_by_text("You are signed out.")).to_be_visible()
        thief.goto(live_server + "/account")
        assert "/login" in thief.url

    in_chromium(body)
