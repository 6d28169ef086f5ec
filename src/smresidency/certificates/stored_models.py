"""The certificate PDFs made once and kept, so a download is a read and not a render."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow


class StoredPdf(Base):
    """One certificate on one paper size, with the hash of what was printed on it."""

    __tablename__ = "stored_pdf"
    __table_args__ = (UniqueConstraint("certificate_id", "paper"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # the unique constraint's index serves lookups by certificate too
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"))
    paper: Mapped[str] = mapped_column(String(10))
    # sha256 of the printed inputs (names, dates, signer, verify address, revocation, layout):
    # a change to any of them makes this row stale, and a new PDF is made
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    # sha256 of body, sent as the ETag
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
