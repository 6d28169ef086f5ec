"""Reads for the admin's webhooks page."""

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints() -> list[WebhookEndpoint]:
    """Every endpoint, oldest first."""
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def recent_deliveries(limit: int = 100) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def delivery(delivery_id: int) -> WebhookDelivery | None:
    """One delivery, or None."""
    return db.session.get(WebhookDelivery, delivery_id)
