"""Checking a credential file someone holds, for `flask certificates verify` and the /verify
page alike: the token inside it, its signature, issuer and dates, then its status list bit."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from smresidency.certificates import credential, status

ENVELOPE = "data:application/vc+jwt,"


def token_from_text(text: str) -> tuple[str | None, str]:
    """The compact JWT in a downloaded .jwt or .json file, or None and why not."""
    text = text.strip()
    if not text.startswith("{"):
        return text, ""
    try:
        document = json.loads(text)
        envelope = document["proof"][0]["id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None, "the file holds no signed credential (no proof)"
    if not isinstance(envelope, str) or not envelope.startswith(ENVELOPE):
        return None, "the proof is not a VC-JWT"
    token = envelope[len(ENVELOPE) :]
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    if unsigned != credential.claims(token):
        return None, "the file was changed: it differs from the signed credential inside it"
    return token, ""


@dataclass
class Outcome:
    """valid, not valid, or unknown (valid as far as could be checked; revocation not)."""

    state: str
    reason: str
    credential: dict | None = None
    revocation: status.Status | None = None


def check(
    text: str,
    jwks: list[dict],
    issuer_id: str | None,
    fetch_list: Callable[[str], str | None],
    now: datetime,
) -> Outcome:
    """Everything a verifier can check: `fetch_list(url)` returns the signed status list the
    credential names, or None when it cannot be had."""
    token, problem = token_from_text(text)
    if token is None:
        return Outcome("not valid", problem)
    if not jwks:
        return Outcome("not valid", "no public keys to check against")
    verdict = credential.verify(token, jwks, issuer_id, now)
    if not verdict.ok:
        return Outcome("not valid", verdict.reason, verdict.credential)
    data = verdict.credential
    entry = data.get("credentialStatus")
    url = entry.get("statusListCredential") if isinstance(entry, dict) else None
    revocation = status.check(data, fetch_list(url) if url else None, jwks, now)
    if revocation.state == "revoked":
        return Outcome("not valid", revocation.message, data, revocation)
    if revocation.state == "unknown":
        return Outcome("unknown", revocation.message, data, revocation)
    return Outcome("valid", "valid", data, revocation)
