"""Signing out of an SSO session signs out at the provider too (RP-initiated logout)."""

import re
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from smresidency.security import FORM_ACTION_KEY
from smresidency.sso.services import SESSION_KEY
from tests.sso.conftest import SIGNED_OUT


def _form_action(answer) -> str:
    policy = answer.headers["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("form-action"))


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _confirm_at_provider(url: str) -> str:
    """Press "Yes, sign me out" on the provider's logout page; return where it sends us."""
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form[2]))
    answer = browser.post(
        urljoin(url, form[1]), data={**fields, "logout": "yes"}, allow_redirects=False
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def test_pages_of_an_sso_session_may_send_the_sign_out_on_to_the_provider(
    client, oidc_provider, sso_sign_in
):
    sso_sign_in("bob")
    assert _form_action(client.get("/account")) == f"form-action 'self' {oidc_provider.issuer}"


def test_a_password_session_keeps_form_action_self(client, login_as):
    login_as("learner")
    assert _form_action(client.get("/account")) == "form-action 'self'"


def test_an_origin_that_is_not_one_is_ignored(client, login_as):
    login_as("learner")
    with client.session_transaction() as session:
        session[FORM_ACTION_KEY] = "https://idp.test 'unsafe-inline'"
    assert _form_action(client.get("/account")) == "form-action 'self'"


def test_sign_out_goes_straight_to_the_provider_and_comes_back(client, oidc_provider, sso_sign_in):
    sso_sign_in("bob")
    answer = client.post("/logout")
    assert answer.status_code == 302
    assert not _signed_in(client)
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == oidc_provider.issuer
    assert target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [SIGNED_OUT]
    assert query["id_token_hint"][0].count(".") == 2
    state = query["state"][0]

    back = _confirm_at_provider(answer.headers["Location"])
    assert back.startswith(SIGNED_OUT + "?")
    assert parse_qs(urlsplit(back).query)["state"] == [state]
    landed = client.get(back[len("http://localhost") :])
    assert landed.headers["Location"] == "/login"
    page = client.get("/login")
    assert "You are signed out." in page.get_data(as_text=True)
    assert _form_action(page) == "form-action 'self'"


def test_a_sign_out_coming_back_with_another_state_just_lands_on_sign_in(client):
    assert client.get("/sso/signed-out?state=forged").headers["Location"] == "/login"


def test_a_session_without_the_kept_address_gets_the_link_page(client, sso_sign_in):
    sso_sign_in("bob")
    with client.session_transaction() as session:  # as a session from before this release
        held = dict(session[SESSION_KEY])
        del held["end_session"]
        session[SESSION_KEY] = held
        del session[FORM_ACTION_KEY]
    answer = client.post("/logout")
    assert answer.headers["Location"] == "/sso/signed-out"
    html = client.get("/sso/signed-out").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">Sign out of your hospital account too', html)[1]
    query = parse_qs(urlsplit(unescape(link)).query)
    assert query["post_logout_redirect_uri"] == [SIGNED_OUT]
    assert query["id_token_hint"][0].count(".") == 2
    # the page is shown once: a second visit goes to the sign-in page
    assert client.get("/sso/signed-out").headers["Location"] == "/login"
