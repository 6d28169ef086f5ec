"""Revocation that a verifier can see without asking us about one certificate: a W3C Bitstring
Status List (https://www.w3.org/TR/vc-bitstring-status-list/), signed like the credentials.

Each certificate owns one bit, at a random free position so that the list does not reveal
issue order; the bit is 1 once the certificate is revoked. Credentials name their bit in
`credentialStatus` (a BitstringStatusListEntry, purpose `revocation`).
"""

import base64
import gzip
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from smresidency.certificates import credential as vc
from smresidency.certificates.models import Certificate
from smresidency.extensions import db

LIST_BITS = 131_072  # the specification's minimum length (16 KiB), for herd privacy
LIST_PATH = "/credentials/status/revocation"
TTL_SECONDS = 300  # how long a verifier may keep a fetched list; the page is cached as long


def list_url(base_url: str) -> str:
    return base_url.rstrip("/") + LIST_PATH


def entry(base_url: str, index: int) -> dict:
    """The credential's `credentialStatus`: which bit of which list says whether it is revoked."""
    url = list_url(base_url)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def assign_index(cert: Certificate) -> int:
    """The certificate's bit, given now at a random free position if it has none yet.

    It is given in a transaction of its own whose first statement writes: the download that
    asks is a GET, and on SQLite a transaction that reads and then writes fails when another
    writer commits in between. Only a row still without a bit is updated, so two downloads
    at once agree on one; a position taken meanwhile is refused (the unique constraint on
    PostgreSQL) and redrawn. The request's own session is not made dirty.
    """
    if cert.status_index is not None:
        return cert.status_index
    table = Certificate.__table__
    other = table.alias("other")
    for _ in range(20):
        candidate = secrets.randbelow(LIST_BITS)
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    update(table)
                    .where(
                        table.c.id == cert.id,
                        table.c.status_index.is_(None),
                        ~exists().where(other.c.status_index == candidate),
                    )
                    .values(status_index=candidate)
                )
                index = connection.scalar(select(table.c.status_index).where(table.c.id == cert.id))
        except IntegrityError:
            continue
        if index is not None:
            set_committed_value(cert, "status_index", index)
            return index
    raise RuntimeError("Could not find a free position in the revocation status list.")


def encode(revoked: list[int] | set[int], bits: int = LIST_BITS) -> str:
    """GZIP, then base64url without padding, with the multibase prefix `u`; bit 0 is the
    most significant bit of the first byte."""
    data = bytearray(bits // 8)
    for index in revoked:
        data[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    """The bitstring of an `encodedList` (multibase `u` prefix optional, as older lists lack it)."""
    text = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def revoked_indices() -> list[int]:
    """The bits to set: every revoked certificate that has a position in the list."""
    return list(
        db.session.scalars(
            select(Certificate.status_index).where(
                Certificate.revoked_at.is_not(None), Certificate.status_index.is_not(None)
            )
        )
    )


def list_credential(base_url: str, issuer_name: str, now: datetime) -> dict:
    """The status list as a credential of its own (BitstringStatusListCredential)."""
    url = list_url(base_url)
    return {
        "@context": [vc.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": f"{base_url.rstrip('/')}/issuer", "name": issuer_name},
        "validFrom": vc.iso(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "ttl": TTL_SECONDS * 1000,
            "encodedList": encode(revoked_indices()),
        },
    }


@dataclass
class Status:
    """What the status list says: "revoked", "not revoked", "no status" or "unknown"."""

    state: str
    message: str


def check(credential: dict, list_token: str | None, jwks: list[dict], now: datetime) -> Status:
    """Read the credential's bit in a fetched status list (`list_token`, None: not fetched).

    The list must be signed by one of the issuer's keys, name the same issuer and be the list
    the credential points to; anything else means revocation could not be checked.
    """
    status = credential.get("credentialStatus")
    if not status:
        return Status("no status", "this credential carries no revocation status")
    if isinstance(status, list):
        status = next((s for s in status if s.get("statusPurpose") == "revocation"), {})
    url = status.get("statusListCredential")
    if status.get("type") != "BitstringStatusListEntry" or not url:
        return Status("unknown", f"could not check revocation: unknown status {status!r}")
    if list_token is None:
        return Status("unknown", "could not check revocation: offline")
    skew = timedelta(minutes=5)  # the list is signed at request time, by a clock of its own
    verdict = vc.verify(list_token, jwks, vc.issuer_of(credential), now + skew)
    if not verdict.ok:
        return Status(
            "unknown",
            f"could not check revocation: the status list is not valid ({verdict.reason})",
        )
    listed = verdict.credential
    subject = listed.get("credentialSubject") or {}
    if (
        listed.get("id") != url
        or "BitstringStatusListCredential" not in (listed.get("type") or [])
        or subject.get("statusPurpose") != "revocation"
    ):
        return Status("unknown", "could not check revocation: not the revocation list it names")
    try:
        bitstring = decode(subject["encodedList"])
        revoked = is_set(bitstring, int(status["statusListIndex"]))
    except (KeyError, ValueError, TypeError, IndexError, OSError, EOFError):
        return Status("unknown", "could not check revocation: the status list cannot be read")
    if revoked:
        return Status("revoked", "revoked (the issuer's status list says so)")
    return Status("not revoked", "not revoked (checked against the issuer's status list)")
