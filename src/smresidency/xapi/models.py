"""The outbox: one row per statement and LRS endpoint, kept until the LRS has it."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow

PENDING, SENT = "pending", "sent"
GONE = "gone"  # its record was erased before it was sent
REJECTED = "rejected"  # the LRS found it invalid (HTTP 400); kept with the LRS's reason


class XapiOutbox(Base):
    """A statement owed to an endpoint; built from its record (kind, ref_id) when sent."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (UniqueConstraint("statement_id", "endpoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[int] = mapped_column()
    endpoint: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


from smresidency.xapi import capture as _capture  # noqa: E402,F401  (attach the listeners)
