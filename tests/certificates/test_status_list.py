"""Revocation a verifier sees without the project: the credential names its bit in a signed
Bitstring Status List, and a decoder written here (standard library and joserfc, nothing of
smresidency) finds the bit set once the certificate is revoked."""

import base64
import gzip
import json
from urllib.request import urlopen

from joserfc import jws
from joserfc.jwk import KeySet
from sqlalchemy import select

from smresidency.certificates import keys
from smresidency.certificates.models import Certificate
from smresidency.extensions import db
from smresidency.immersion.services import set_checked

ALGORITHMS = ["EdDSA", "Ed25519"]


def fetch(url: str) -> bytes:
    with urlopen(url, timeout=10) as response:  # noqa: S310 (the test's own local server)
        return response.read()


def verified_claims(token: str, key_set: KeySet) -> dict:
    """The payload of a compact JWS after joserfc has checked its signature."""
    return json.loads(
        jws.deserialize_compact(token.strip(), key_set, algorithms=ALGORITHMS).payload
    )


def is_revoked(credential_token: str) -> bool:
    """An outside verifier's revocation check, from the credential file alone: the issuer's
    JWKS and status list are fetched from the addresses the signed credential names."""
    unchecked = json.loads(jws.extract_compact(credential_token.strip().encode()).payload)
    issuer = unchecked["issuer"]["id"]
    origin = issuer.rsplit("/", 1)[0]
    key_set = KeySet.import_key_set(json.loads(fetch(origin + "/.well-known/jwks.json")))
    credential = verified_claims(credential_token, key_set)
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    status_list = verified_claims(fetch(entry["statusListCredential"]).decode(), key_set)
    assert status_list["id"] == entry["statusListCredential"]
    assert "BitstringStatusListCredential" in status_list["type"]
    assert status_list["issuer"]["id"] == issuer
    subject = status_list["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase: base64url without padding
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    bits = gzip.decompress(packed)
    assert len(bits) * 8 >= 131_072  # the specification's minimum, for herd privacy
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))  # bit 0 is the leftmost


def finish(app, nearly_done) -> Certificate:
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        db.session.expunge(cert)
    return cert


def test_a_revoked_certificate_fails_an_independent_status_check(app, nearly_done, served):
    keys.generate(app.instance_path)
    cert = finish(app, nearly_done)
    token = nearly_done["client"].get(f"/certificates/{cert.id}/credential.jwt").get_data(True)
    assert is_revoked(token) is False

    coordinator = app.test_client()
    with coordinator.session_transaction() as session:
        session["_user_id"] = nearly_done["coordinator"].session_token
    revoked = coordinator.post(
        f"/cohorts/{nearly_done['cohort_id']}/certificates/{cert.id}/revoke",
        data={"reason": "Issued in error", "confirmed": "yes"},
    )
    assert revoked.status_code == 302
    assert is_revoked(token) is True  # the same file, unchanged: only the list changed


def test_the_list_sets_only_revoked_bits_and_each_certificate_keeps_its_own(
    app, nearly_done, served
):
    keys.generate(app.instance_path)
    cert = finish(app, nearly_done)
    client = nearly_done["client"]
    first = client.get(f"/certificates/{cert.id}/credential.json").get_json(force=True)
    again = client.get(f"/certificates/{cert.id}/credential.jwt").get_data(True)
    entry = first["credentialStatus"]
    claims = json.loads(jws.extract_compact(again.encode()).payload)
    assert claims["credentialStatus"] == entry  # a second download names the same bit
    assert entry["statusListCredential"] == f"{served[0]}/credentials/status/revocation"
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"

    response = client.get("/credentials/status/revocation")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    payload = json.loads(jws.extract_compact(response.data).payload)
    encoded = payload["credentialSubject"]["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert bits == bytes(len(bits))  # nothing revoked yet: every bit is 0


def test_without_a_signing_key_the_status_list_says_it_is_not_available(client):
    response = client.get("/credentials/status/revocation")
    assert response.status_code == 503
    assert "no signing key" in response.get_data(as_text=True)
