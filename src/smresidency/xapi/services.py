"""Writing outbox rows and sending them: batched, retried, never lost, never twice."""

import base64
import json
import urllib.error
import urllib.request
import uuid

from flask import current_app
from sqlalchemy import select

from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.xapi.models import GONE, PENDING, REJECTED, SENT, XapiOutbox

XAPI_VERSION = "1.0.3"


class Unreachable(Exception):
    """An LRS did not take a batch; its rows stay pending and the job queue tries again."""


class Rejected(Exception):
    """The LRS found a statement invalid (400): sending it again would not help."""


def endpoints() -> list[dict]:
    """The configured LRS endpoints: dicts with url, key and secret (from config/env only)."""
    found = current_app.config.get("XAPI_ENDPOINTS") or []
    if isinstance(found, dict):
        found = [found]
    return [e for e in found if isinstance(e, dict) and e.get("url")]


def namespace() -> uuid.UUID:
    """This installation's UUID namespace: statement ids from two sites never collide."""
    base = (current_app.config.get("BASE_URL") or "http://localhost").rstrip("/")
    return uuid.uuid5(uuid.NAMESPACE_URL, base + "/xapi")


def statement_id(kind: str, ref_id: int) -> str:
    """The same record always gives the same statement id, so a resend is no duplicate."""
    return str(uuid.uuid5(namespace(), f"{kind}:{ref_id}"))


def registration(enrolment_id: int) -> str:
    """context.registration: one UUID per enrolment, derived, so nothing is stored."""
    return str(uuid.uuid5(namespace(), f"enrolment:{enrolment_id}"))


def _insert(session, rows: list[dict], resend: bool = False) -> None:
    """One multi-row INSERT; a row already there is left alone (or set pending to resend)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(XapiOutbox)
    if resend:
        stmt = stmt.on_conflict_do_update(
            index_elements=["statement_id", "endpoint"], set_={"status": PENDING}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=["statement_id", "endpoint"])
    session.execute(stmt, rows)


def _rows(found: list[tuple[str, int]]) -> list[dict]:
    now, rows = utcnow(), []
    for endpoint in endpoints():
        for kind, ref_id in dict.fromkeys(found):
            rows.append(
                {
                    "statement_id": statement_id(kind, ref_id),
                    "kind": kind,
                    "ref_id": ref_id,
                    "endpoint": endpoint["url"],
                    "status": PENDING,
                    "attempts": 0,
                    "last_error": "",
                    "created_at": now,
                }
            )
    return rows


def queue(session, found: list[tuple[str, int]], resend: bool = False) -> int:
    """Outbox rows for (kind, row id) pairs and one send job, in the caller's transaction."""
    from smresidency.jobs.services import enqueue

    rows = _rows(found)
    if not rows:
        return 0
    _insert(session, rows, resend=resend)
    enqueue("xapi.send")
    return len(rows)


def _post(endpoint: dict, statements: list[dict]) -> int:
    """POST a batch to <url>/statements; the HTTP status, or Unreachable."""
    url = endpoint["url"].rstrip("/") + "/statements"
    if not url.startswith(("http://", "https://")):
        raise Unreachable("only http(s) LRS addresses are used")
    pair = f"{endpoint.get('key', '')}:{endpoint.get('secret', '')}".encode()
    request = urllib.request.Request(  # noqa: S310 (http/https only, checked above)
        url,
        data=json.dumps(statements, separators=(",", ":")).encode(),
        method="POST",
        headers={
            "Authorization": "Basic " + base64.b64encode(pair).decode(),
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            "User-Agent": "smresidency",
        },
    )
    timeout = current_app.config.get("XAPI_TIMEOUT") or 10
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status
    except urllib.error.HTTPError as err:
        if err.code == 409:  # a statement with this id is there already
            return 409
        detail = err.read()[:300].decode(errors="replace")
        if err.code == 400:
            raise Rejected(f"HTTP 400 from {url}: {detail}") from None
        raise Unreachable(f"HTTP {err.code} from {url}: {detail}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise Unreachable(f"{type(err).__name__} from {url}: {reason}") from None


def _deliver(endpoint: dict, batch: list[tuple[XapiOutbox, dict]]) -> None:
    """A batch, or one by one after a 409 or 400 (an LRS refuses a whole batch for one
    repeat or one invalid statement); an invalid statement is set aside, not retried."""
    try:
        status = _post(endpoint, [statement for _, statement in batch])
    except Rejected as err:
        if len(batch) == 1:
            batch[0][0].status, batch[0][0].last_error = REJECTED, str(err)[:2000]
            return
        status = 400
    if status in (400, 409) and len(batch) > 1:
        for pair in batch:
            _deliver(endpoint, [pair])
        return
    now = utcnow()
    for row, _ in batch:
        row.status, row.sent_at, row.last_error = SENT, now, ""


def send() -> None:
    """The job: every pending row to its endpoint, in batches; raises while any LRS refuses."""
    from smresidency.xapi.statements import build

    size = current_app.config.get("XAPI_BATCH_SIZE") or 50
    failures = []
    for endpoint in endpoints():
        last_id = 0
        while True:
            rows = db.session.scalars(
                select(XapiOutbox)
                .where(
                    XapiOutbox.endpoint == endpoint["url"],
                    XapiOutbox.status == PENDING,
                    XapiOutbox.id > last_id,
                )
                .order_by(XapiOutbox.id)
                .limit(size)
                # PostgreSQL: a second worker skips the rows this one is sending (no-op on SQLite)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                break
            last_id = rows[-1].id
            batch = []
            for row in rows:
                statement = build(row.kind, row.ref_id)
                if statement is None:
                    row.status = GONE  # its record was erased: nothing left to say
                else:
                    batch.append((row, statement))
            try:
                if batch:
                    _deliver(endpoint, batch)
            except Unreachable as err:
                for row, _ in batch:
                    if row.status == PENDING:
                        row.attempts += 1
                        row.last_error = str(err)[:2000]
                failures.append(str(err))
                db.session.commit()
                break  # this endpoint is down; the others still get theirs
            db.session.commit()
    if failures:
        raise Unreachable("; ".join(failures))


def prune(days: int = 30) -> int:
    """Forget outbox rows the LRS has had (or whose record was erased) for `days` days: the
    LRS keeps the statements, and `flask xapi replay` can rebuild any of them."""
    from datetime import timedelta

    from sqlalchemy import delete, func

    cutoff = utcnow() - timedelta(days=days)
    done = func.coalesce(XapiOutbox.sent_at, XapiOutbox.created_at)
    result = db.session.execute(
        delete(XapiOutbox).where(XapiOutbox.status.in_((SENT, GONE)), done < cutoff)
    )
    return result.rowcount or 0
