"""The Open Badges 3.0 credential: valid against the official schema, signed with Ed25519
(by joserfc), verified here without it, and any change to it is detected."""

import base64
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator, Draft202012Validator

from smresidency.certificates import credential, keys, status
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


def test_a_credential_with_its_revocation_status_still_validates(cert):
    entry = status.entry(BASE, 94567)
    data = credential.build(cert, BASE, "social-media-residency", "A residency", entry)
    assert list(_validator().iter_errors(data)) == []
    assert data["credentialStatus"] == {
        "id": f"{BASE}/credentials/status/revocation#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": f"{BASE}/credentials/status/revocation",
    }


def test_schema_validation_would_catch_a_broken_credential(cert):
    data = credential.build(cert, BASE, "social-media-residency", "A residency")
    del data["issuer"]
    assert list(_validator().iter_errors(data))


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_signature_verifies_without_the_jose_library_that_made_it(cert, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = keys.generate(str(tmp_path))
    token = credential.sign(credential.build(cert, BASE, "c", "d"), key, BASE)
    header_b64, payload_b64, signature_b64 = token.split(".")
    jwk = keys.published(str(tmp_path))[0]
    public = Ed25519PublicKey.from_public_bytes(unb64(jwk["x"]))
    public.verify(unb64(signature_b64), f"{header_b64}.{payload_b64}".encode())  # raises if bad
    header = json.loads(unb64(header_b64))
    assert header == {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": f"{BASE}/issuer#{key.kid}",
    }
    assert json.loads(unb64(payload_b64))["credentialSubject"]["name"] == "Олена Коваленко"


def test_key_ids_are_rfc_7638_thumbprints(tmp_path):
    key = keys.generate(str(tmp_path))
    jwk = keys.published(str(tmp_path))[0]
    members = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":")
    )
    assert key.kid == jwk["kid"] == b64(hashlib.sha256(members.encode()).digest())


def test_offline_verification_passes_and_detects_tampering(cert, tmp_path):
    key = keys.generate(str(tmp_path))
    jwks = keys.published(str(tmp_path))
    token = credential.sign(credential.build(cert, BASE, "c", "d"), key, BASE)
    assert credential.verify(token, jwks, f"{BASE}/issuer", utcnow()).ok
    header, payload, signature = token.split(".")
    data = json.loads(unb64(payload))
    data["credentialSubject"]["name"] = "Someone Else"
    forged = ".".join([header, b64(json.dumps(data).encode()), signature])
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


def test_keys_made_before_joserfc_still_sign_and_verify(cert, tmp_path):
    """A key written by the earlier code (PKCS#8 PEM, a random hex id) keeps working."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = tmp_path / "keys"
    folder.mkdir()
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    (folder / "0123456789abcdef.pem").write_bytes(pem)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64(raw), "kid": "0123456789abcdef"}
    (folder / "0123456789abcdef.jwk.json").write_text(json.dumps(jwk))
    (folder / "current").write_text("0123456789abcdef")
    token = credential.sign(
        credential.build(cert, BASE, "c", "d"), keys.current(str(tmp_path)), BASE
    )
    assert credential.verify(token, keys.published(str(tmp_path)), None, utcnow()).ok


def test_private_keys_are_written_owner_only(tmp_path):
    key = keys.generate(str(tmp_path))
    assert (tmp_path / "keys" / f"{key.kid}.pem").stat().st_mode & 0o777 == 0o600
    assert "d" not in keys.published(str(tmp_path))[0]  # no private part in the JWKS
