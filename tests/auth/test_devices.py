"""Per-device sessions: signing out ends this browser's session on the server, a copied
cookie dies with it, and the account page lists devices to end one or all."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from smresidency.auth.devices import describe, token_hash
from smresidency.auth.models import DeviceSession
from smresidency.db import utcnow
from smresidency.extensions import db
from tests.conftest import PASSWORD

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def browser(app, agent=FIREFOX, address="192.0.2.10"):
    """A separate browser: its own cookie jar, User-Agent and client address."""
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address})
    return client


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def signed_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie (as a thief would)."""
    thief = browser(app, address="203.0.113.66")
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def device_rows(app, user):
    with app.app_context():
        rows = db.session.scalars(
            select(DeviceSession).where(DeviceSession.user_id == user.id)
        ).all()
        db.session.expunge_all()
        return rows


def device_ids_on_page(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/account/devices/(\d+)/sign-out"', page)]


def test_a_copied_cookie_stops_working_at_sign_out(app, make_user):
    """Issue 12.5: the cookie used to stay valid until the user's token was rotated."""
    user = make_user()
    mine = browser(app)
    sign_in(mine, user)
    thief = copy_of(app, mine)
    assert signed_in(thief)

    mine.post("/logout")
    assert not signed_in(mine)
    assert not signed_in(thief)


def test_signing_out_one_device_keeps_the_others_signed_in(app, make_user):
    user = make_user()
    laptop, phone = browser(app), browser(app, IPHONE, "198.51.100.7")
    sign_in(laptop, user)
    sign_in(phone, user)
    assert len(device_rows(app, user)) == 2

    laptop.post("/logout")
    assert not signed_in(laptop)
    assert signed_in(phone)
    assert [d.user_agent for d in device_rows(app, user)] == ["Safari on iPhone"]


def test_the_cookie_carries_a_device_token_whose_hash_alone_is_stored(app, make_user):
    user = make_user()
    client = browser(app)
    sign_in(client, user)
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert token != user.session_token
    [row] = device_rows(app, user)
    assert row.token_hash == token_hash(token)
    assert token not in row.token_hash


def test_the_account_page_lists_each_device(app, make_user):
    user = make_user()
    laptop, phone = browser(app), browser(app, IPHONE, "198.51.100.7")
    sign_in(phone, user)
    sign_in(laptop, user)
    page = laptop.get("/account").get_data(as_text=True)
    assert "2 signed-in devices" in page
    assert "Firefox on Linux <strong>(this device)</strong>" in page
    assert "Safari on iPhone" in page and "198.51.100.7" in page
    assert page.count(">Sign out this device<") == 2
    assert "Sign out everywhere" in page
    assert len(device_ids_on_page(page)) == 2


def test_signing_out_another_device_from_the_account_page(app, make_user):
    user = make_user()
    laptop, phone = browser(app), browser(app, IPHONE, "198.51.100.7")
    sign_in(phone, user)
    stolen_phone = copy_of(app, phone)
    sign_in(laptop, user)
    phone_id = next(d.id for d in device_rows(app, user) if d.user_agent == "Safari on iPhone")

    response = laptop.post(f"/account/devices/{phone_id}/sign-out", follow_redirects=True)
    assert "That device is signed out." in response.get_data(as_text=True)
    assert not signed_in(phone)
    assert not signed_in(stolen_phone)
    assert signed_in(laptop)
    assert device_ids_on_page(laptop.get("/account").get_data(as_text=True)) != [phone_id]


def test_signing_out_this_device_from_the_account_page(app, make_user):
    user = make_user()
    laptop = browser(app)
    sign_in(laptop, user)
    [mine] = device_ids_on_page(laptop.get("/account").get_data(as_text=True))
    response = laptop.post(f"/account/devices/{mine}/sign-out")
    assert response.headers["Location"] == "/login"
    assert not signed_in(laptop)
    assert device_rows(app, user) == []


def test_nobody_can_sign_out_someone_elses_device(app, make_user):
    ann, bob = make_user(), make_user()
    ann_browser, bob_browser = browser(app), browser(app)
    sign_in(ann_browser, ann)
    sign_in(bob_browser, bob)
    [ann_device] = device_rows(app, ann)
    assert bob_browser.post(f"/account/devices/{ann_device.id}/sign-out").status_code == 404
    assert bob_browser.post("/account/devices/999999/sign-out").status_code == 404
    assert signed_in(ann_browser)


def test_sign_out_everywhere_ends_every_device_and_every_copy(app, make_user):
    user = make_user()
    laptop, phone = browser(app), browser(app, IPHONE)
    sign_in(laptop, user)
    sign_in(phone, user)
    thief = copy_of(app, phone)
    laptop.post("/account/sign-out-everywhere")
    assert not any(signed_in(c) for c in (laptop, phone, thief))
    assert device_rows(app, user) == []


def test_changing_the_password_keeps_only_this_device(app, make_user):
    user = make_user()
    laptop, phone = browser(app), browser(app, IPHONE)
    sign_in(phone, user)
    sign_in(laptop, user)
    new = "a brand new passphrase"
    laptop.post("/account", data={"current": PASSWORD, "password": new, "confirm": new})
    assert signed_in(laptop) and not signed_in(phone)
    assert [d.user_agent for d in device_rows(app, user)] == ["Firefox on Linux"]


def test_disabling_an_account_ends_its_devices(app, make_user, runner):
    user = make_user()
    laptop = browser(app)
    sign_in(laptop, user)
    with app.app_context():
        from smresidency.auth import services

        services.set_active(services.find_user(user.email), False)
        db.session.commit()
    assert not signed_in(laptop)
    assert device_rows(app, user) == []


def test_last_seen_is_refreshed_at_most_every_few_minutes(app, make_user):
    user = make_user()
    laptop = browser(app)
    sign_in(laptop, user)
    [before] = device_rows(app, user)
    laptop.get("/account")
    assert device_rows(app, user)[0].last_seen_at == before.last_seen_at

    with app.app_context():
        db.session.execute(
            update(DeviceSession).values(last_seen_at=utcnow() - timedelta(minutes=10))
        )
        db.session.commit()
    laptop.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    laptop.get("/account")
    [after] = device_rows(app, user)
    assert after.address == "192.0.2.99"
    assert after.last_seen_at.replace(tzinfo=None) > (utcnow() - timedelta(minutes=1)).replace(
        tzinfo=None
    )


def test_signing_in_again_in_the_same_browser_replaces_its_device(app, make_user):
    user = make_user()
    client = browser(app)
    sign_in(client, user)
    earlier_copy = copy_of(app, client)
    sign_in(client, user)
    assert len(device_rows(app, user)) == 1
    assert signed_in(client)
    assert not signed_in(earlier_copy)


def test_a_device_unseen_for_too_long_is_signed_out(app, make_user):
    user = make_user()
    client = browser(app)
    sign_in(client, user)
    idle = app.config["DEVICE_SESSION_MAX_IDLE_DAYS"]
    with app.app_context():
        db.session.execute(
            update(DeviceSession).values(last_seen_at=utcnow() - timedelta(days=idle, hours=1))
        )
        db.session.commit()
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX, "Firefox on Linux"),
        (IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/126.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", "Unknown browser"),
        ("\x00\x01<b>", "<b>"),
    ],
)
def test_user_agents_are_summarised(agent, summary):
    assert describe(agent) == summary


def test_prune_forgets_idle_devices_and_expired_registration_links(app, make_user, runner):
    from smresidency.auth.models import PendingRegistration

    user = make_user()
    idle, fresh = browser(app), browser(app, IPHONE)
    sign_in(idle, user)
    sign_in(fresh, user)
    idle_days = app.config["DEVICE_SESSION_MAX_IDLE_DAYS"]
    with app.app_context():
        db.session.execute(
            update(DeviceSession)
            .where(DeviceSession.user_agent == "Firefox on Linux")
            .values(last_seen_at=utcnow() - timedelta(days=idle_days + 1))
        )
        for days in (-1, 1):
            db.session.add(
                PendingRegistration(
                    email=f"p{days}@example.test",
                    name="P",
                    password_hash="x",
                    token_hash=f"h{days}",
                    expires_at=utcnow() + timedelta(days=days),
                )
            )
        db.session.commit()
    result = runner.invoke(args=["db", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 idle device session(s), 1 expired registration(s)." in result.output
    assert [d.user_agent for d in device_rows(app, user)] == ["Safari on iPhone"]
    with app.app_context():
        assert db.session.scalars(select(PendingRegistration.email)).all() == ["p1@example.test"]


def test_the_first_request_after_a_pause_may_end_the_device_itself(app, make_user):
    """The last-seen refresh and the sign-out touch the same row in one request."""
    user = make_user()
    laptop, phone = browser(app), browser(app, IPHONE)
    sign_in(laptop, user)
    sign_in(phone, user)

    def pause():
        with app.app_context():
            db.session.execute(
                update(DeviceSession).values(last_seen_at=utcnow() - timedelta(minutes=10))
            )
            db.session.commit()

    pause()
    new = "a brand new passphrase"
    response = laptop.post("/account", data={"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert signed_in(laptop) and not signed_in(phone)
    pause()
    assert laptop.post("/logout").status_code == 302
    assert device_rows(app, user) == []
