"""Every published version of a document, the texts to compare, and going back to one.

Versions are never edited: restoring one makes its text the draft, so the way back to the
live text is the same as every other change (save, check, publish) and is itself recorded.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from smresidency.auth.models import User
from smresidency.authoring.documents import Doc, text_hash
from smresidency.authoring.models import Draft
from smresidency.authoring.services import save_draft
from smresidency.catalog.models import CourseFileVersion, ModuleVersion
from smresidency.db import as_utc
from smresidency.extensions import db

DRAFT = "draft"


@dataclass
class Version:
    """One published text of a document, numbered from 1 for the oldest."""

    id: int
    number: int
    created_at: datetime
    author: str | None  # None: made by a content sync from the files
    content_hash: str
    title: str | None  # modules only: the title this version had
    published: bool = False

    @property
    def name(self) -> str:
        return f"Version {self.number}"


def versions_of(doc: Doc) -> list[Version]:
    """The document's versions, newest first, in one query (texts are not loaded)."""
    if doc.kind == "modules":
        if doc.module is None:
            return []
        model = ModuleVersion
        stmt = select(
            ModuleVersion.id,
            ModuleVersion.created_at,
            User.name,
            ModuleVersion.content_hash,
            ModuleVersion.title,
        ).where(ModuleVersion.module_id == doc.module.id)
        current = doc.module.current_hash
    else:
        model = CourseFileVersion
        stmt = select(
            CourseFileVersion.id,
            CourseFileVersion.created_at,
            User.name,
            CourseFileVersion.content_hash,
        ).where(CourseFileVersion.course_id == doc.course.id, CourseFileVersion.file == doc.file)
        current = doc.published_hash if doc.published is not None else None
    stmt = stmt.outerjoin(User, User.id == model.created_by_id).order_by(model.created_at, model.id)
    versions = [
        Version(
            id=row[0],
            number=n,
            created_at=as_utc(row[1]),
            author=row[2],
            content_hash=row[3],
            title=row[4] if len(row) > 4 else None,
            published=row[3] == current,
        )
        for n, row in enumerate(db.session.execute(stmt).all(), start=1)
    ]
    return versions[::-1]


def text_of(doc: Doc, version_id: int) -> str | None:
    """The raw file text of one version of this document; None if it is not one of its own."""
    if doc.kind == "modules":
        if doc.module is None:
            return None
        return db.session.scalar(
            select(ModuleVersion.source).where(
                ModuleVersion.id == version_id, ModuleVersion.module_id == doc.module.id
            )
        )
    return db.session.scalar(
        select(CourseFileVersion.text).where(
            CourseFileVersion.id == version_id,
            CourseFileVersion.course_id == doc.course.id,
            CourseFileVersion.file == doc.file,
        )
    )


def choices(doc: Doc, versions: list[Version]) -> list[tuple[str, str]]:
    """What the compare form offers: the draft first when there is one, then each version."""
    out = [(DRAFT, "Draft (not published)")] if doc.draft is not None else []
    for v in versions:
        when = v.created_at.strftime("%d %b %Y %H:%M")
        out.append((str(v.id), f"{v.name}, {when}{' (published now)' if v.published else ''}"))
    return out


def default_pair(doc: Doc, versions: list[Version]) -> tuple[str, str] | None:
    """What to compare first: published against the draft, else the one before against it."""
    live = next((v for v in versions if v.published), None)
    if doc.draft is not None:
        if live is not None:
            return str(live.id), DRAFT
        return (str(versions[0].id), DRAFT) if versions else None
    if live is None:
        return (str(versions[1].id), str(versions[0].id)) if len(versions) > 1 else None
    other = next((v for v in versions if v.id != live.id), None)  # newest other version
    return (str(other.id), str(live.id)) if other else None


@dataclass
class Restored:
    """The result of a restore: done, or why not."""

    version: Version | None = None
    refused: str = ""  # "draft" (a draft exists) or "published" (it is the live text)
    draft: Doc | None = None  # the document as it is, when a draft was in the way

    @property
    def ok(self) -> bool:
        return self.version is not None and not self.refused


def restore_as_draft(doc: Doc, version: Version, actor_id: int) -> Restored:
    """Make an older version's text the document's draft, never overwriting a draft."""
    if doc.draft is not None:
        return Restored(version, refused="draft", draft=doc)
    if version.published:
        return Restored(version, refused="published")
    text = text_of(doc, version.id) or ""
    saved = save_draft(doc, text, text_hash(doc.text), actor_id)
    if saved.conflict is not None:
        return Restored(version, refused="draft", draft=saved.conflict)
    return Restored(version)


def discard_draft(doc: Doc, revision: int, digest: str) -> bool:
    """Drop the draft only if it is still the one the author looked at.

    The revision alone is not enough: a draft made after a publish or discard starts again
    at revision 1, so the hash of the text the author saw must match too.
    """
    if doc.draft is None or doc.draft.revision != revision:
        return False
    if text_hash(doc.draft.text) != digest:
        return False
    gone = db.session.execute(
        delete(Draft)
        .where(Draft.id == doc.draft.id, Draft.revision == revision)
        .execution_options(synchronize_session=False)
    )
    return gone.rowcount == 1
