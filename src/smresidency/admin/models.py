"""The audit log (append-only) and the one row of site settings."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow


class AuditEntry(Base):
    """Who did what to whom, before and after, when and from where; never changed afterwards.

    People are referenced by id, not copied by name, so an anonymised person stays anonymous
    here too.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    before: Mapped[dict | list | str | None] = mapped_column(JSON)
    after: Mapped[dict | list | str | None] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class AppendOnly(Exception):
    """An attempt to change or delete an audit entry through the ORM."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise AppendOnly("audit entries are never changed or deleted")


class SiteSettings(Base):
    """Branding and footer pages edited in the browser; exactly one row (id 1) when saved."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    accent_colour: Mapped[str] = mapped_column(String(7), default="")
    support_email: Mapped[str] = mapped_column(String(320), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str] = mapped_column(String(40), default="")
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_type: Mapped[str] = mapped_column(String(40), default="")
    privacy_md: Mapped[str] = mapped_column(Text, default="")
    privacy_html: Mapped[str] = mapped_column(Text, default="")
    accessibility_md: Mapped[str] = mapped_column(Text, default="")
    accessibility_html: Mapped[str] = mapped_column(Text, default="")
    terms_md: Mapped[str] = mapped_column(Text, default="")
    terms_html: Mapped[str] = mapped_column(Text, default="")
    # CE/CPD: blank hours mean the course's own; copied onto each certificate at issue
    ce_contact_hours: Mapped[str] = mapped_column(String(12), default="", server_default="")
    ce_accreditation: Mapped[str] = mapped_column(Text, default="", server_default="")
    ce_provider_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
