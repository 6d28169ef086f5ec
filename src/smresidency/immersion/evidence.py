"""Workshop evidence: a learner submits the URL of what they made; faculty confirm or return it.

Only faculty tick the item, by confirming. Every step is a check-off event. Services flush only.
"""

import re
from urllib.parse import urlsplit

from sqlalchemy import update

from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.immersion.services import (
    ImmersionError,
    check_off_row,
    record,
    set_checked,
)

MAX_URL_LENGTH = 1000
MAX_NOTE_LENGTH = 2000
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\{}|^]")
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_DOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")
_IPV6 = re.compile(r"^[0-9a-f:.]+$")


class EvidenceError(ImmersionError):
    """Evidence that cannot be accepted; the message is safe to show."""


class EvidenceLocked(ImmersionError):
    """The evidence has been confirmed, so the learner can no longer change it."""


def takes_evidence(item: dict) -> bool:
    """Hands-on items that the learner completes are the ones proven with a link."""
    return item.get("kind") == "hands-on" and item.get("completed_by") == "learner"


def url_problem(url: str) -> str | None:
    """Why a URL is not a public web address we will link to, or None when it is fine.

    Faculty click these links, so only absolute http(s) addresses with a host pass.
    """
    if not url:
        return "Paste the link to what you published."
    if len(url) > MAX_URL_LENGTH:
        return f"That link is too long: use one of at most {MAX_URL_LENGTH} characters."
    if _UNSAFE.search(url):
        return "A link cannot contain spaces, quotes or angle brackets."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        return "That is not a valid web address."
    if parts.scheme.lower() not in ("http", "https"):
        return "Enter a web address starting with https:// (or http://)."
    host = parts.hostname or ""
    if not (_DOMAIN.match(host) or ("[" in parts.netloc and _IPV6.match(host))):
        return "Enter the full address, including the site, e.g. https://www.example.org/post."
    if parts.username is not None or parts.password is not None:
        return "Enter the address without a user name or password in it."
    return None


def submit(enrolment_id: int, item_id: str, url: str, by_id: int) -> CheckOff:
    """Record the learner's link as submitted; refused once faculty have confirmed it."""
    problem = url_problem(url)
    if problem:
        raise EvidenceError(problem)
    row = check_off_row(enrolment_id, item_id)
    # Conditional, so a confirmation committed meanwhile is never overwritten.
    result = db.session.execute(
        update(CheckOff)
        .where(CheckOff.id == row.id, CheckOff.evidence_state != "confirmed")
        .values(
            evidence_url=url,
            evidence_state="submitted",
            updated_by_id=by_id,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        raise EvidenceLocked(
            "Your faculty member has already confirmed this item, so its link can no longer "
            "be changed."
        )
    record(enrolment_id, item_id, "evidence-submitted", by_id, detail=url)
    db.session.flush()
    return row


def confirm(row: CheckOff, by_id: int) -> bool:
    """Accept the evidence and tick the item; False when it was already confirmed."""
    if row.evidence_state == "confirmed":
        return False
    _require_evidence(row)
    row.evidence_state = "confirmed"
    row.updated_by_id = by_id
    row.updated_at = utcnow()
    was_ticked = row.checked
    set_checked(row.enrolment_id, row.item_id, True, by_id, action="evidence-confirmed")
    if was_ticked:  # set_checked records only a change; the confirmation still belongs in history
        record(row.enrolment_id, row.item_id, "evidence-confirmed", by_id)
    db.session.flush()
    return True


def return_evidence(row: CheckOff, note: str, by_id: int) -> None:
    """Send the evidence back with a note saying what to change; the item is left unticked."""
    _require_evidence(row)
    note = (note or "").strip()
    if not note:
        raise EvidenceError("Say what the learner should change before returning it.")
    if len(note) > MAX_NOTE_LENGTH:
        raise EvidenceError(f"Keep the note under {MAX_NOTE_LENGTH} characters.")
    row.evidence_state = "returned"
    row.note = note
    row.updated_by_id = by_id
    row.updated_at = utcnow()
    record(row.enrolment_id, row.item_id, "evidence-returned", by_id, detail=note)
    db.session.flush()
    if row.checked:
        set_checked(row.enrolment_id, row.item_id, False, by_id)


def _require_evidence(row: CheckOff) -> None:
    if not row.evidence_state or not row.evidence_url:
        raise EvidenceError("Nothing has been submitted for this item yet.")


def confirm_many(rows: list[CheckOff], wanted: set[int], by_id: int) -> int:
    """Confirm every one of `wanted` or none: EvidenceError names what stopped the batch."""
    found = {r.id for r in rows}
    if not wanted:
        raise EvidenceError("Tick at least one link to confirm.")
    if found != wanted:
        raise EvidenceError(
            "Nothing was confirmed: some of the links you ticked are no longer in this queue "
            "(a learner may have withdrawn). Reload the page and try again."
        )
    already = [r for r in rows if r.evidence_state == "confirmed"]
    if already:
        raise EvidenceError(
            f"Nothing was confirmed: {len(already)} of the links you ticked had already been "
            "confirmed, perhaps by a colleague. Reload the page and try again."
        )
    for row in rows:
        confirm(row, by_id)
    return len(rows)
