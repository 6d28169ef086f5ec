"""What a credential's addresses lead to: the achievement page behind `achievement.id`, and
caching that lets shared caches keep public documents but nothing a signed-in person sees."""

import html
import json

from smresidency.certificates import credential, keys
from tests.certificates.test_pages import client_of, finish, validator


def test_the_achievement_id_in_a_credential_resolves_to_a_page(app, nearly_done):
    keys.generate(app.instance_path)
    cert = finish(app, nearly_done)
    client = nearly_done["client"]
    document = client.get(f"/certificates/{cert.id}/credential.json").get_json(force=True)
    achievement_id = document["credentialSubject"]["achievement"]["id"]
    assert achievement_id == "http://localhost/achievements/test-course"

    anonymous = app.test_client()
    page = anonymous.get(achievement_id)
    assert page.status_code == 200 and page.mimetype == "text/html"
    body = html.unescape(page.get_data(as_text=True))
    assert "<h1>Test course</h1>" in body
    assert "Test Hospital" in body and "12 hours" in body
    assert credential.CRITERIA in body
    assert page.headers["Cache-Control"] == "public, max-age=3600"
    assert "Accept" in page.headers["Vary"]

    as_json = anonymous.get(achievement_id, headers={"Accept": "application/ld+json"})
    assert as_json.mimetype == "application/ld+json"
    data = json.loads(as_json.data)
    assert data["id"] == achievement_id and data["name"] == "Test course"
    assert data["criteria"] == document["credentialSubject"]["achievement"]["criteria"]
    schema = validator("ob_v3p0_achievementcredential.schema.json").schema
    achievement = type(validator("ob_v3p0_achievementcredential.schema.json"))(
        {"$ref": "#/$defs/Achievement", "$defs": schema["$defs"]}
    )
    assert [e.message for e in achievement.iter_errors(data)] == []
    assert anonymous.get("/achievements/no-such-course").status_code == 404


def test_the_credential_still_validates_with_its_status_and_achievement(app, nearly_done):
    keys.generate(app.instance_path)
    cert = finish(app, nearly_done)
    document = nearly_done["client"].get(f"/certificates/{cert.id}/credential.json")
    data = document.get_json(force=True)
    schema = validator("ob_v3p0_achievementcredential.schema.json")
    assert [e.message for e in schema.iter_errors(data)] == []
    assert data["credentialStatus"]["type"] == "BitstringStatusListEntry"


def test_signed_in_pages_and_private_downloads_are_never_stored(app, nearly_done):
    keys.generate(app.instance_path)
    cert = finish(app, nearly_done)
    learner = nearly_done["client"]
    coordinator = client_of(app, nearly_done["coordinator"])
    cohort = nearly_done["cohort_id"]
    private = [
        (learner, "/account"),
        (learner, f"/certificates/{cert.id}"),
        (learner, f"/certificates/{cert.id}.pdf"),
        (learner, f"/certificates/{cert.id}/credential.json"),
        (learner, f"/certificates/{cert.id}/credential.jwt"),
        (coordinator, f"/cohorts/{cohort}"),  # the cohort dashboard
        (coordinator, f"/cohorts/{cohort}/export.csv"),
        (coordinator, f"/cohorts/{cohort}/certificates"),
        # public pages carry the signed-in person's name in their header
        (learner, f"/verify/{cert.code}"),
        (learner, "/achievements/test-course"),
    ]
    for client, path in private:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_public_documents_are_cacheable_for_everyone(app, nearly_done):
    keys.generate(app.instance_path)
    cert = finish(app, nearly_done)
    anonymous = app.test_client()
    expected = {
        "/issuer": "public, max-age=3600",
        "/.well-known/jwks.json": "public, max-age=300",
        "/credentials/status/revocation": "public, max-age=300",
        "/verify": "public, max-age=300",
        f"/verify/{cert.code}": "public, max-age=60",
        "/achievements/test-course": "public, max-age=3600",
    }
    for path, cache in expected.items():
        assert anonymous.get(path).headers["Cache-Control"] == cache, path
    for path in ("/issuer", "/.well-known/jwks.json", "/credentials/status/revocation"):
        signed_in = nearly_done["client"].get(path)  # the same for everyone: still public
        assert signed_in.headers["Cache-Control"] == expected[path], path
    unknown = anonymous.get("/verify/AAAABBBBCCCCDDDD")
    assert unknown.status_code == 404 and "public" not in unknown.headers.get("Cache-Control", "")
