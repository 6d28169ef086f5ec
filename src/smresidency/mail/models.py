"""Every message is kept, so development can read it and support can trace delivery."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow


class OutboxMessage(Base):
    """A message handed to the mail service, with the backend that delivered it."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # queued until the worker delivers it; the body is kept only until then (outside console)
    status: Mapped[str] = mapped_column(String(12), default="pending", server_default="sent")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
