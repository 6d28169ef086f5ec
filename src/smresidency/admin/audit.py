"""The one way to write the audit log; every feature that changes something sensitive calls it.

    record(actor, action, target_user=None, before=None, after=None, detail="")

Importing this module imports no views, so certificates, cohorts and others may call it.
"""

from flask import has_request_context, request

from smresidency.admin.models import AuditEntry
from smresidency.extensions import db

# What each action means on the audit page; other features add theirs as they start recording.
ACTIONS = {
    "account.created": "Account created",
    "account.roles": "Roles changed",
    "account.disabled": "Account disabled",
    "account.enabled": "Account enabled",
    "account.reset_link": "Password-reset link sent",
    "settings.changed": "Site settings changed",
    "certificate.revoked": "Certificate revoked",
    "certificate.reissued": "Certificate re-issued under a corrected name",
    "account.name": "Name changed",
    "account.email": "E-mail address changed",
    "override": "Staff override",
    "data.exported": "Personal data exported",
    "data.erased": "Person erased",
}


def _id_of(person) -> int | None:
    """A User, an id or None: the log stores ids only."""
    if person is None:
        return None
    return person if isinstance(person, int) else person.id


def record(actor, action: str, target_user=None, before=None, after=None, detail: str = ""):
    """Append one entry in the caller's transaction; the client address comes from the request.

    actor and target_user are User objects or ids (None for the system); before and after are
    anything JSON can hold. Flushed, not committed: the entry stands or falls with the change.
    """
    address = (request.remote_addr or "") if has_request_context() else ""
    entry = AuditEntry(
        actor_id=_id_of(actor),
        action=action[:40],
        target_user_id=_id_of(target_user),
        before=before,
        after=after,
        detail=detail or "",
        address=address[:64],
    )
    db.session.add(entry)
    db.session.flush()
    return entry
