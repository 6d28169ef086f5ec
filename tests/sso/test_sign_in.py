"""Sign-in through the real npm oidc-provider: new accounts, roles, linking and every refusal."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.sso.models import SsoIdentity


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return (user.id, sorted(user.roles)) if user else None


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_first_sign_in_makes_a_learner_account(app, client, sso_sign_in):
    answer = sso_sign_in("bob", next_url="/account")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/account"
    assert _user(app, "bob@hospital.test")[1] == ["learner"]
    assert _signed_in(client)
    with app.app_context():
        identity = db.session.scalar(select(SsoIdentity))
        assert (identity.provider, identity.subject) == ("hospital", "bob-1")
        user = db.session.get(User, identity.user_id)
        assert user.name == "Bob Nurse"
        assert user.password_hash.startswith("!")  # no password: it signs in through SSO only


def test_the_sign_in_opens_a_device_session_like_a_password_does(app, client, sso_sign_in):
    sso_sign_in("bob")
    page = client.get("/account").get_data(as_text=True)
    assert "This device" in page or "this device" in page


def test_a_mapped_group_gives_its_role_and_the_change_is_audited(app, client, sso_sign_in):
    sso_sign_in("alice")
    user_id, roles = _user(app, "alice@hospital.test")
    assert roles == ["coordinator"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_user_id == user_id))
        assert entry.action == "account.created"
        assert entry.after == ["coordinator"]
    assert client.get("/cohorts/").status_code != 403


def test_roles_follow_the_mapping_at_each_sign_in(app, client, sso_sign_in):
    sso_sign_in("erin")
    assert _user(app, "erin@hospital.test")[1] == ["coordinator"]
    client.post("/logout")
    sso_sign_in("erin-moved")  # the same person, no longer in the coordinators' group
    user_id, roles = _user(app, "erin@hospital.test")
    assert roles == ["learner"]
    with app.app_context():
        change = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.target_user_id == user_id, AuditEntry.action == "account.roles"
            )
        )
        assert (change.before, change.after) == (["coordinator"], ["learner"])
        assert change.actor_id is None


def test_a_verified_address_links_to_the_existing_account(app, client, make_user, sso_sign_in):
    local = make_user("instructor", email="carol@hospital.test")
    sso_sign_in("carol")
    assert _user(app, "carol@hospital.test") == (local.id, ["instructor"])
    with app.app_context():
        assert db.session.scalar(select(SsoIdentity.user_id)) == local.id
        linked = db.session.scalar(select(AuditEntry).where(AuditEntry.target_user_id == local.id))
        assert (linked.action, linked.detail) == (
            "account.sso_linked",
            "to Sign in with Test Hospital",
        )
    assert _signed_in(client)


def test_an_unverified_address_never_takes_over_an_account(app, client, make_user, sso_sign_in):
    make_user("admin", email="victim@hospital.test")
    answer = sso_sign_in("mallory")
    assert answer.status_code == 403
    assert "has not confirmed that victim@hospital.test is yours" in answer.get_data(as_text=True)
    assert not _signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(SsoIdentity)) is None


def test_an_address_outside_the_allowed_domains_is_refused(app, client, sso_sign_in):
    answer = sso_sign_in("outsider")
    assert answer.status_code == 403
    assert "Accounts from elsewhere.test cannot sign in here" in answer.get_data(as_text=True)
    assert _user(app, "someone@elsewhere.test") is None


def test_cancelling_at_the_provider_says_so(app, client, sso_sign_in):
    answer = sso_sign_in("bob", cancel=True)
    assert answer.status_code == 403
    assert "Sign-in was cancelled" in answer.get_data(as_text=True)
    assert not _signed_in(client)


def test_a_replayed_callback_is_refused(app, client):
    from tests.oidc import harness

    start = client.get("/sso/hospital/login")
    back = harness.at_provider(start.headers["Location"], "bob", "http://localhost/")
    path = back[len("http://localhost") :]
    assert client.get(path).status_code == 302
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 400
    assert "already been used or has expired" in again.get_data(as_text=True)
    assert not _signed_in(client)


def test_an_id_token_with_another_nonce_is_refused(app, client):
    from tests.oidc import harness

    start = client.get("/sso/hospital/login")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    with client.session_transaction() as session:
        held = session[f"_state_hospital_{state}"]
        held["data"]["nonce"] = "not-the-nonce-that-was-sent"
        session[f"_state_hospital_{state}"] = held
    back = harness.at_provider(start.headers["Location"], "bob", "http://localhost/")
    answer = client.get(back[len("http://localhost") :])
    assert answer.status_code == 400
    assert "did not pass our checks" in answer.get_data(as_text=True)
    assert _user(app, "bob@hospital.test") is None


def test_a_provider_that_is_down_gets_a_clear_page(app, client):
    from tests.oidc import harness

    app.config["SSO_ISSUER"] = f"http://127.0.0.1:{harness.free_port()}"
    answer = client.get("/sso/hospital/login")
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert "Sign in with Test Hospital could not be reached" in page
    assert "Traceback" not in page


def test_an_unknown_provider_is_a_404_page(client):
    assert client.get("/sso/nowhere/login").status_code == 404
    assert client.get("/sso/nowhere/callback?code=x&state=y").status_code == 404


def test_the_sign_in_page_offers_the_provider(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Test Hospital" in page
    assert 'name="password"' in page  # passwords still work unless SSO_ONLY


def test_a_password_sign_out_goes_straight_to_the_sign_in_page(client, login_as):
    login_as("learner")
    assert client.post("/logout").headers["Location"] == "/login"
