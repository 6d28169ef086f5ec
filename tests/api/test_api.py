"""The read-only API: a token made on the account page reads what its owner may see, as JSON
that matches the OpenAPI document, and nothing else (no cookie, no other cohort, no secret)."""

import re
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from smresidency.api.models import ApiToken
from smresidency.catalog.models import Course
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": (8, 60), "BASE_URL": "https://residency.example.org"}


@pytest.fixture
def world(app, synced_course, make_user, make_cohort):
    """A coordinator's cohort with two learners and a certificate, and another cohort."""
    coordinator = make_user("coordinator")
    mine, _ = make_cohort(synced_course, coordinators=[coordinator], learners=2)
    theirs, _ = make_cohort(synced_course, coordinators=[make_user("coordinator")], learners=1)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == mine))
        course = db.session.scalar(select(Course))
        db.session.add(
            Certificate(
                user_id=enrolment.user_id,
                course_id=course.id,
                enrolment_id=enrolment.id,
                cohort_id=mine,
                serial="SMR-TEST-0001",
                code="APITESTCODE0001",
                recipient_name="Holder One",
                course_title=course.title,
                immersion_date=utcnow().date(),
            )
        )
        db.session.commit()
    return {"coordinator": coordinator, "mine": mine, "theirs": theirs}


def browser(app, user):
    """A separate browser signed in as `user`; the API client never holds its cookie."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    return client


def make_token(app, user, scopes=("read:cohorts", "read:certificates"), days=30):
    """Create a token through the account page, as a person would; returns its secret."""
    page = browser(app, user).post(
        "/account/api-tokens", data={"name": "HR import", "scopes": list(scopes), "days": days}
    )
    assert page.status_code == 200
    return re.search(r'<code id="new-token">([^<]+)</code>', page.text).group(1)


@pytest.fixture
def openapi(client):
    """check(schema_name, body): validate a real response against the served document."""
    doc = client.get("/api/v1/openapi.json").get_json()
    resource = Resource.from_contents(doc, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:api", resource)

    def check(name, response, status=200):
        assert response.status_code == status, response.text
        body = response.get_json()
        schema = {"$ref": f"urn:api#/components/schemas/{name}"}
        Draft202012Validator(schema, registry=registry).validate(body)
        return body

    return check


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_a_coordinators_token_reads_their_cohort_only(app, client, world, openapi):
    secret = make_token(app, world["coordinator"])
    cohorts = openapi("CohortList", client.get("/api/v1/cohorts", headers=bearer(secret)))
    assert [c["id"] for c in cohorts["data"]] == [world["mine"]]

    url = f"/api/v1/cohorts/{world['mine']}/enrolments"
    enrolments = openapi("EnrolmentList", client.get(url, headers=bearer(secret)))
    assert len(enrolments["data"]) == 2
    first = enrolments["data"][0]
    assert first["progress"]["modules_read"] == 0
    assert first["quiz_results"] == {"attempts": 0, "modules_passed": 0, "best_score": None}

    url = f"/api/v1/cohorts/{world['mine']}/certificates"
    certificates = openapi("CertificateList", client.get(url, headers=bearer(secret)))
    assert certificates["data"][0]["verification_url"] == (
        "https://residency.example.org/verify/APITESTCODE0001"
    )

    for what in ("enrolments", "certificates"):
        response = client.get(f"/api/v1/cohorts/{world['theirs']}/{what}", headers=bearer(secret))
        openapi("Problem", response, 404)
        assert response.mimetype == "application/problem+json"

    courses = openapi("CourseList", client.get("/api/v1/courses", headers=bearer(secret)))
    modules = courses["data"][0]["modules"]
    assert len(modules) > 3 and all(m["title"] for m in modules)


def test_no_scope_no_cookie_no_guess(app, client, world, openapi):
    secret = make_token(app, world["coordinator"], scopes=["read:cohorts"])
    url = f"/api/v1/cohorts/{world['mine']}/certificates"
    body = openapi("Problem", client.get(url, headers=bearer(secret)), 403)
    assert "read:certificates" in body["detail"]

    signed_in = browser(app, world["coordinator"])
    assert signed_in.get("/cohorts").status_code == 200  # the cookie works on pages...
    response = signed_in.get("/api/v1/cohorts")  # ...and not on the API
    openapi("Problem", response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    openapi("Problem", client.get("/api/v1/cohorts", headers=bearer("smr_guessed")), 401)


def test_a_tokens_life_shown_once_stored_hashed_used_revoked_expired(app, client, world, openapi):
    secret = make_token(app, world["coordinator"])
    staff = browser(app, world["coordinator"])
    page = staff.get("/account/api-tokens").text
    assert secret not in page and secret[:10] in page and "never" in page
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert secret not in (stored.token_hash, stored.prefix)
    client.get("/api/v1/cohorts", headers=bearer(secret))
    assert "never" not in staff.get("/account/api-tokens").text  # last used is shown

    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert staff.post(f"/account/api-tokens/{token_id}/revoke").status_code == 302
    assert "revoked" in staff.get("/account/api-tokens").text
    openapi("Problem", client.get("/api/v1/cohorts", headers=bearer(secret)), 401)

    other = make_token(app, world["coordinator"])
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.revoked_at.is_(None)))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    openapi("Problem", client.get("/api/v1/cohorts", headers=bearer(other)), 401)


def test_token_form_errors_and_who_may_make_one(client, login_as):
    login_as("coordinator")
    page = client.post("/account/api-tokens", data={"name": "", "days": "999"})
    assert page.status_code == 422
    assert "Choose at least one scope." in page.text and "This field is required." in page.text
    login_as("learner")
    assert client.get("/account/api-tokens").status_code == 403


def test_pages_follow_the_cursor_and_are_conditional(app, client, world, openapi):
    secret = make_token(app, world["coordinator"])
    url = f"/api/v1/cohorts/{world['mine']}/enrolments"
    first = openapi("EnrolmentList", client.get(f"{url}?limit=1", headers=bearer(secret)))
    assert first["next_cursor"]
    rest = client.get(f"{url}?limit=1&cursor={first['next_cursor']}", headers=bearer(secret))
    second = openapi("EnrolmentList", rest)
    assert second["next_cursor"] is None
    assert first["data"][0]["id"] < second["data"][0]["id"]
    again = client.get(
        f"{url}?limit=1", headers={**bearer(secret), "If-None-Match": rest.headers["ETag"]}
    )
    assert again.status_code == 200  # another page, another tag
    etag = client.get(f"{url}?limit=1", headers=bearer(secret)).headers["ETag"]
    cached = client.get(f"{url}?limit=1", headers={**bearer(secret), "If-None-Match": etag})
    assert cached.status_code == 304
    openapi("Problem", client.get(f"{url}?limit=0", headers=bearer(secret)), 400)


def test_too_many_requests_get_429_with_retry_after(app, client, make_user, openapi):
    secret = make_token(app, make_user("coordinator"))
    answers = [client.get("/api/v1/courses", headers=bearer(secret)) for _ in range(9)]
    assert [a.status_code for a in answers[:8]] == [200] * 8
    openapi("Problem", answers[8], 429)
    assert int(answers[8].headers["Retry-After"]) >= 1


def test_the_document_declares_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    rules = {
        r.rule.removeprefix("/api/v1").replace("<int:cohort_id>", "{cohort_id}")
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/v1/") and not r.rule.endswith("openapi.json")
    }
    assert rules == set(doc["paths"])
