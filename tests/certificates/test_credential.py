"""The Open Badges 3.0 credential: valid against the official schema, signed with Ed25519,
verified by an independent JOSE library, and any change to it is detected."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator, Draft202012Validator

from smresidency.certificates import credential, keys
from smresidency.certificates.models import Certificate
from smresidency.db import utcnow

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
BASE = "https://residency.example.org"


@pytest.fixture
def cert():
    from datetime import date

    return Certificate(
        id=7,
        serial="SMR-2026-000007",
        code="ABCDEFGHIJKLMNOP",
        recipient_name="Олена Коваленко",
        course_title="Social Media Residency",
        organisation="Test Hospital",
        hours=12.0,
        immersion_date=date(2026, 11, 20),
        place="Education centre",
        issued_at=utcnow() - timedelta(days=1),
        expires_at=utcnow() + timedelta(days=700),
    )


def _validator():
    schema = json.loads((SPECS / "ob_v3p0_achievementcredential.schema.json").read_text())
    cls = Draft202012Validator if "2020-12" in schema.get("$schema", "") else Draft201909Validator
    return cls(schema)


def test_credential_validates_against_the_official_schema(cert):
    data = credential.build(cert, BASE, "social-media-residency", "A residency")
    errors = sorted(_validator().iter_errors(data), key=str)
    assert errors == []
    assert data["credentialSubject"]["name"] == "Олена Коваленко"
    assert data["id"] == f"{BASE}/verify/ABCDEFGHIJKLMNOP"


def test_schema_validation_would_catch_a_broken_credential(cert):
    data = credential.build(cert, BASE, "social-media-residency", "A residency")
    del data["issuer"]
    assert list(_validator().iter_errors(data))


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated:Warning")  # RFC 9864; widely supported
def test_signature_verifies_with_an_independent_jose_library(cert, tmp_path):
    from joserfc import jws
    from joserfc.jwk import OKPKey

    key = keys.generate(str(tmp_path))
    token = credential.sign(credential.build(cert, BASE, "c", "d"), key, BASE)
    public = OKPKey.import_key(keys.published(str(tmp_path))[0])
    result = jws.deserialize_compact(token, public, algorithms=["EdDSA", "Ed25519"])
    payload = json.loads(result.payload)
    assert payload["credentialSubject"]["name"] == "Олена Коваленко"
    assert result.protected["kid"] == f"{BASE}/issuer#{key.kid}"


def test_offline_verification_passes_and_detects_tampering(cert, tmp_path):
    key = keys.generate(str(tmp_path))
    jwks = keys.published(str(tmp_path))
    token = credential.sign(credential.build(cert, BASE, "c", "d"), key, BASE)
    assert credential.verify(token, jwks, f"{BASE}/issuer", utcnow()).ok
    header, payload, signature = token.split(".")
    data = json.loads(keys.b64url_decode(payload))
    data["credentialSubject"]["name"] = "Someone Else"
    forged = ".".join([header, keys.b64url(json.dumps(data).encode()), signature])
    verdict = credential.verify(forged, jwks, f"{BASE}/issuer", utcnow())
    assert not verdict.ok and "changed" in verdict.reason


def test_offline_verification_checks_issuer_and_dates(cert, tmp_path):
    key = keys.generate(str(tmp_path))
    jwks = keys.published(str(tmp_path))
    token = credential.sign(credential.build(cert, BASE, "c", "d"), key, BASE)
    assert (
        "not by" in credential.verify(token, jwks, "https://other.example/issuer", utcnow()).reason
    )
    later = utcnow() + timedelta(days=800)
    assert credential.verify(token, jwks, None, later).reason.startswith("expired on")


def test_rotation_keeps_old_credentials_verifiable(cert, tmp_path):
    old = keys.generate(str(tmp_path))
    token = credential.sign(credential.build(cert, BASE, "c", "d"), old, BASE)
    new = keys.generate(str(tmp_path))
    assert keys.current(str(tmp_path)).kid == new.kid
    jwks = keys.published(str(tmp_path))
    assert {k["kid"] for k in jwks} == {old.kid, new.kid}
    assert credential.verify(token, jwks, None, utcnow()).ok


def test_private_keys_are_written_owner_only(tmp_path):
    key = keys.generate(str(tmp_path))
    assert (tmp_path / "keys" / f"{key.kid}.pem").stat().st_mode & 0o777 == 0o600
    assert "d" not in keys.published(str(tmp_path))[0]  # no private part in the JWKS
