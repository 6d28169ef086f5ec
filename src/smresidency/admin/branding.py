"""Saving site settings: images checked as studio images are, Markdown rendered once, audited."""

from dataclasses import dataclass

from smresidency.admin import audit
from smresidency.admin.models import SiteSettings
from smresidency.admin.settings import CONFIG_KEYS, PAGES, SETTINGS_ID, forget
from smresidency.catalog.images import ImageRejected, prepare_image
from smresidency.catalog.render import render_markdown
from smresidency.db import utcnow
from smresidency.extensions import db

IMAGE_TYPES = {".png", ".svg"}
MAX_IMAGE_BYTES = 512 * 1024
TEXT_FIELDS = (*CONFIG_KEYS, *(f"{slug}_md" for slug in PAGES))


@dataclass
class Upload:
    """A file from the form: its name, its bytes (empty when none was chosen), or removal."""

    filename: str = ""
    data: bytes = b""
    remove: bool = False


def check_image(upload: Upload) -> tuple[bytes, str] | None:
    """The stored bytes and type of an uploaded logo or signature; ImageRejected says why not."""
    if not upload.data:
        return None
    name = (upload.filename or "").lower()
    if "." + name.rsplit(".", 1)[-1] not in IMAGE_TYPES:
        raise ImageRejected("upload a PNG or SVG file (.png or .svg)")
    if len(upload.data) > MAX_IMAGE_BYTES:
        raise ImageRejected(f"the image may be at most {MAX_IMAGE_BYTES // 1024} KB")
    image = prepare_image(name, upload.data)
    return image.data, image.content_type


def saved_row() -> SiteSettings | None:
    """The settings row, or None before settings were first saved."""
    return db.session.get(SiteSettings, SETTINGS_ID)


def current_row() -> SiteSettings:
    """The settings row, created empty the first time settings are saved."""
    row = db.session.get(SiteSettings, SETTINGS_ID)
    if row is None:
        row = SiteSettings(id=SETTINGS_ID, version=0)
        db.session.add(row)
    return row


def save_settings(actor, values: dict, logo: Upload, signature: Upload) -> bool:
    """Store what changed, bump the version (pages and caches key on it) and audit it.

    values holds TEXT_FIELDS; images were checked with check_image. False when nothing changed.
    """
    row = current_row()
    before, after = {}, {}
    for name in TEXT_FIELDS:
        new = values.get(name) or ""
        if (getattr(row, name) or "") != new:
            before[name], after[name] = getattr(row, name) or "", new
            setattr(row, name, new)
            if name.endswith("_md"):
                setattr(row, name[:-3] + "_html", render_markdown(new) if new.strip() else "")
    for kind, upload in (("logo", logo), ("signature", signature)):
        checked = check_image(upload)
        if checked:
            before[kind] = "an image" if getattr(row, kind) else "none"
            after[kind] = f"new {checked[1]} image ({len(checked[0])} bytes)"
            setattr(row, kind, checked[0])
            setattr(row, f"{kind}_type", checked[1])
        elif upload.remove and getattr(row, kind) is not None:
            before[kind], after[kind] = "an image", "none"
            setattr(row, kind, None)
            setattr(row, f"{kind}_type", "")
    if not after:
        return False
    row.version = (row.version or 0) + 1
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "settings.changed", before=before, after=after)
    forget()
    return True
