"""Helpers for the admin tests: the outbox, the audit log and page text."""

import re

import pytest
from sqlalchemy import select

from smresidency.admin.models import AuditEntry
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage


def text_of(html: str) -> str:
    """Visible text with tags dropped and spaces collapsed, as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").strip()


@pytest.fixture
def outbox(app):
    def read():
        with app.app_context():
            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            db.session.expunge_all()
            return rows

    return read


@pytest.fixture
def audit_log(app):
    def read():
        with app.app_context():
            rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            db.session.expunge_all()
            return rows

    return read
