"""Open Badges 3.0 credentials (VC Data Model 2.0) signed as VC-JWT with Ed25519, and checked.

Verification needs only the credential and the issuer's public keys (JWKS), so it works
offline: `flask certificates verify FILE`.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from smresidency.certificates.keys import SigningKey, b64url, b64url_decode

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(cert, base_url: str, course_slug: str, description: str) -> dict:
    """The credential as JSON-LD: who earned what, from whom, valid from when (and until)."""
    base = base_url.rstrip("/")
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base}/verify/{cert.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{cert.course_title} certificate",
        "issuer": {
            "id": f"{base}/issuer",
            "type": ["Profile"],
            "name": cert.organisation or "smresidency",
            "url": base + "/",
        },
        "validFrom": iso(cert.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": cert.recipient_name,
            "activityEndDate": f"{cert.immersion_date.isoformat()}T00:00:00Z",
            "creditsEarned": float(cert.hours),
            "achievement": {
                "id": f"{base}/achievements/{course_slug}",
                "type": ["Achievement"],
                "name": cert.course_title,
                "description": description or cert.course_title,
                "criteria": {
                    "narrative": "Passed every online module of the residency, completed every "
                    "required item of the one-day immersion, and had a social media strategy "
                    "plan accepted by faculty."
                },
                "achievementType": "Certificate",
            },
        },
    }
    if cert.expires_at is not None:
        credential["validUntil"] = iso(cert.expires_at)
    return credential


def sign(credential: dict, key: SigningKey, base_url: str) -> str:
    """Compact JWS over the credential itself (VC-JOSE: the payload is the credential)."""
    header = {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": f"{base_url.rstrip('/')}/issuer#{key.kid}",
    }
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode())
        for part in (header, credential)
    )
    signature = key.private.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


@dataclass
class Verdict:
    ok: bool
    reason: str
    credential: dict | None = None


def verify(token: str, jwks: list[dict], issuer_id: str | None, now: datetime) -> Verdict:
    """Signature, issuer and validity dates, with nothing but the token and the public keys."""
    try:
        header_b64, payload_b64, signature_b64 = token.strip().split(".")
        header = json.loads(b64url_decode(header_b64))
        credential = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(signature_b64)
    except (ValueError, json.JSONDecodeError):
        return Verdict(False, "not a signed credential (expected a compact JWT)")
    if header.get("alg") != "EdDSA":
        return Verdict(False, f"unsupported algorithm {header.get('alg')!r}")
    kid = str(header.get("kid", "")).rsplit("#", 1)[-1]  # the site's JWKS names it in full
    jwk = next((k for k in jwks if _kid(k) == kid and k.get("crv") == "Ed25519"), None)
    if jwk is None:
        return Verdict(False, f"signed with an unknown key {kid!r}")
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    try:
        public.verify(signature, f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        return Verdict(False, "the signature does not match: the file was changed", credential)
    issuer = (credential.get("issuer") or {}).get("id")
    if issuer_id and issuer != issuer_id:
        return Verdict(False, f"issued by {issuer!r}, not by {issuer_id!r}", credential)
    valid_from = _parse(credential.get("validFrom"))
    valid_until = _parse(credential.get("validUntil"))
    if valid_from and now < valid_from:
        return Verdict(False, "not valid yet", credential)
    if valid_until and now >= valid_until:
        return Verdict(False, f"expired on {valid_until:%Y-%m-%d}", credential)
    return Verdict(True, "valid", credential)


def _kid(jwk: dict) -> str:
    return str(jwk.get("kid", "")).rsplit("#", 1)[-1]


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
