"""Registering endpoints, writing deliveries for events, and sending one signed delivery."""

import json
import time
import urllib.error
import urllib.request
import uuid

from flask import current_app, g, has_app_context
from sqlalchemy import select

from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.webhooks.models import EVENTS, PAYLOAD_VERSION, WebhookDelivery, WebhookEndpoint
from smresidency.webhooks.signing import headers, new_secret


class Refused(Exception):
    """The receiver did not answer 2xx; the job queue tries again later."""


def register(actor, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint with a fresh secret; the admin copies the secret to the receiver."""
    if not events or not set(events) <= set(EVENTS):
        raise ValueError("unknown event type")
    endpoint = WebhookEndpoint(url=url.strip(), secret=new_secret(), events=sorted(events))
    db.session.add(endpoint)
    db.session.flush()
    from smresidency.admin.audit import record

    record(actor, "webhooks.registered", after={"endpoint": endpoint.id, "url": endpoint.url})
    return endpoint


_ACTIVE = select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.active)
_KEPT = "smresidency.webhook_endpoints"
reads: list[int] = []  # endpoint reads from the database: tests prove a warm worker skips them


def active_endpoints(session) -> tuple[tuple[int, frozenset], ...]:
    """(id, events) of the active endpoints: this process's copy while the settings version the
    user loader read matches it (every endpoint change bumps that version, events.py), else
    one read."""
    version = g.get("settings_version") if has_app_context() else None
    kept = current_app.extensions.get(_KEPT) if version is not None else None
    if kept is not None and kept[0] == version:
        return kept[1]
    reads.append(1)
    found = tuple((i, frozenset(events or ())) for i, events in session.execute(_ACTIVE))
    if version is not None:  # read after the version: never older than what it is kept under
        current_app.extensions[_KEPT] = (version, found)
    return found


def emit(session, kind: str, data: dict) -> None:
    """One delivery per active endpoint that wants `kind`, each handed to the job queue."""
    from smresidency.jobs.services import enqueue

    for endpoint_id, events in active_endpoints(session):
        if kind not in events:
            continue
        payload = {
            "type": kind,
            "timestamp": utcnow().isoformat().replace("+00:00", "Z"),
            "version": PAYLOAD_VERSION,
            "data": data,
        }
        message_id = f"msg_{uuid.uuid4().hex}"
        delivery = WebhookDelivery(
            endpoint_id=endpoint_id, message_id=message_id, event_type=kind, payload=payload
        )
        session.add(delivery)
        session.flush()
        enqueue("webhooks.deliver", key=f"webhook:{delivery.id}", delivery_id=delivery.id)


def deliver(delivery_id: int) -> None:
    """POST one delivery, signed; its outcome is logged even when the job will retry."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    signed = headers(endpoint.secret, delivery.message_id, int(time.time()), body)
    if not endpoint.url.startswith(("http://", "https://")):
        raise Refused("only http(s) addresses are delivered to")
    request = urllib.request.Request(  # noqa: S310 (http/https only, checked above)
        endpoint.url,
        data=body,
        method="POST",
        headers={**signed, "Content-Type": "application/json", "User-Agent": "smresidency"},
    )
    delivery.attempts += 1
    code, error = None, ""
    try:
        timeout = current_app.config.get("WEBHOOK_TIMEOUT") or 10
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            code = answer.status
    except urllib.error.HTTPError as err:
        code, error = err.code, f"HTTP {err.code}"
    except (urllib.error.URLError, OSError) as err:
        error = f"{type(err).__name__}: {getattr(err, 'reason', err)}"
    delivery.response_code = code
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), ""
        db.session.commit()
        return
    delivery.last_error = error[:2000]
    last = delivery.attempts >= current_app.config["JOBS_MAX_ATTEMPTS"]
    delivery.status = "failed" if last else "pending"
    db.session.commit()  # the attempt stays in the log although the job raises
    raise Refused(error)


def resend(delivery: WebhookDelivery) -> None:
    """An admin's resend: the same message id, so a receiver that kept it can skip it."""
    from smresidency.jobs.services import enqueue

    delivery.status = "pending"
    db.session.flush()
    enqueue("webhooks.deliver", delivery_id=delivery.id)
