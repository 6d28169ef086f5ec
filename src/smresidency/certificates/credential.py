"""Open Badges 3.0 credentials (VC Data Model 2.0) signed as VC-JWT with Ed25519, and checked.

Signing and verification are joserfc's (a maintained JOSE library). Verification needs only
the credential and the issuer's public keys (JWKS), so it works offline:
`flask certificates verify FILE`; the revocation status list is the one thing it fetches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from smresidency.text import printable

if TYPE_CHECKING:
    from smresidency.certificates.keys import SigningKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ALGORITHMS = ["EdDSA", "Ed25519"]  # one signature scheme under its old and its RFC 9864 name


def _jose():
    """joserfc (and cryptography, ~9 MB) load at the first signature or check, not in every
    web worker; the first call also silences one warning."""
    from joserfc import errors, jws
    from joserfc.jwk import OKPKey

    if not _QUIET:
        import warnings

        # RFC 9864 deprecates the name "EdDSA" in favour of "Ed25519"; verifiers of VC-JWT
        # still expect "EdDSA", so we keep signing with it and do not warn on every signature.
        warnings.filterwarnings(
            "ignore", message="EdDSA is deprecated", category=errors.SecurityWarning
        )
        _QUIET.append(True)
    return jws, errors, OKPKey


_QUIET: list = []


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def achievement_id(base_url: str, course_slug: str) -> str:
    """The achievement's stable address; the achievement page answers there."""
    return f"{base_url.rstrip('/')}/achievements/{course_slug}"


def build(
    cert, base_url: str, course_slug: str, description: str, status: dict | None = None
) -> dict:
    """The credential as JSON-LD: who earned what, from whom, valid from when (and until), and
    where its revocation status is published (`status`, a BitstringStatusListEntry)."""
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
            "name": printable(cert.recipient_name),
            "activityEndDate": f"{cert.immersion_date.isoformat()}T00:00:00Z",
            "creditsEarned": float(cert.hours),
            "achievement": {
                "id": achievement_id(base, course_slug),
                "type": ["Achievement"],
                "name": cert.course_title,
                "description": description or cert.course_title,
                "criteria": {"narrative": CRITERIA},
                "achievementType": "Certificate",
            },
        },
    }
    if cert.expires_at is not None:
        credential["validUntil"] = iso(cert.expires_at)
    if status is not None:
        credential["credentialStatus"] = status
    return credential


CRITERIA = (
    "Passed every online module of the residency, completed every required item of the "
    "one-day immersion, and had a social media strategy plan accepted by faculty."
)


def sign(credential: dict, key: SigningKey, base_url: str) -> str:
    """Compact JWS over the credential itself (VC-JOSE: the payload is the credential)."""
    header = {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": f"{base_url.rstrip('/')}/issuer#{key.kid}",
    }
    payload = json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode()
    jws = _jose()[0]
    return jws.serialize_compact(header, payload, key.key, algorithms=["EdDSA"])


def claims(token: str) -> dict | None:
    """The payload of a compact JWS, unchecked (for comparing; `verify` checks the signature)."""
    jws, errors, _ = _jose()
    try:
        return json.loads(jws.extract_compact(token.strip().encode()).payload)
    except (errors.JoseError, ValueError, TypeError):
        return None


@dataclass
class Verdict:
    ok: bool
    reason: str
    credential: dict | None = None


def verify(token: str, jwks: list[dict], issuer_id: str | None, now: datetime) -> Verdict:
    """Signature, issuer and validity dates, with nothing but the token and the public keys."""
    jws, errors, OKPKey = _jose()
    try:
        unchecked = jws.extract_compact(token.strip().encode())
        credential = json.loads(unchecked.payload)
    except (errors.JoseError, ValueError, TypeError):
        return Verdict(False, "not a signed credential (expected a compact JWT)")
    if not isinstance(credential, dict):
        return Verdict(False, "not a signed credential (the payload is not a credential)")
    alg = unchecked.protected.get("alg")
    if alg not in ALGORITHMS:
        return Verdict(False, f"unsupported algorithm {alg!r}")
    kid = str(unchecked.protected.get("kid", "")).rsplit("#", 1)[-1]  # the JWKS names it in full
    jwk = next((k for k in jwks if _kid(k) == kid and k.get("crv") == "Ed25519"), None)
    if jwk is None:
        return Verdict(False, f"signed with an unknown key {kid!r}")
    public = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x")}
    try:
        jws.deserialize_compact(token.strip(), OKPKey.import_key(public), algorithms=ALGORITHMS)
    except errors.BadSignatureError:
        return Verdict(False, "the signature does not match: the file was changed", credential)
    except errors.JoseError as err:
        return Verdict(False, f"not a valid signature ({err.error})", credential)
    issuer = issuer_of(credential)
    if issuer_id and issuer != issuer_id:
        return Verdict(False, f"issued by {issuer!r}, not by {issuer_id!r}", credential)
    valid_from = _parse(credential.get("validFrom"))
    valid_until = _parse(credential.get("validUntil"))
    if valid_from and now < valid_from:
        return Verdict(False, "not valid yet", credential)
    if valid_until and now >= valid_until:
        return Verdict(False, f"expired on {valid_until:%Y-%m-%d}", credential)
    return Verdict(True, "valid", credential)


def issuer_of(credential: dict) -> str | None:
    """The issuer's id; VC 2.0 allows the issuer as an object with an id or as a bare URL."""
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _kid(jwk: dict) -> str:
    return str(jwk.get("kid", "")).rsplit("#", 1)[-1]


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
