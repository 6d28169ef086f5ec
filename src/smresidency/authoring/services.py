"""Writes of the studio: drafts saved with a revision check, and publishing a document.

Two instructors may edit one file at once. Each save names the text it started from; a
save over a text that has changed since is refused as a conflict, and the caller shows both
texts, so the second instructor is told and loses nothing.
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from smresidency.authoring.documents import Doc, load_doc, text_hash
from smresidency.authoring.models import Draft
from smresidency.authoring.publish import Outcome, check, lock_course, publish
from smresidency.catalog.problems import Problem
from smresidency.db import utcnow
from smresidency.extensions import db


@dataclass
class Saved:
    """The result of a save or publish: a conflict, problems, or success."""

    conflict: Doc | None = None
    problems: list[Problem] = field(default_factory=list)
    outcome: Outcome | None = None
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return self.conflict is None and not self.problems


def conflicts(doc: Doc, opened: str) -> bool:
    """Whether the file changed since the editor was opened: its text is no longer that text.

    Comparing texts, not revision numbers, also catches a draft discarded and started again.
    """
    return text_hash(doc.text) != opened


def save_draft(doc: Doc, text: str, opened: str, actor_id: int) -> Saved:
    """Store the text as the document's draft, checked against the whole course.

    `opened` is the hash of the text the author's editor started from.
    """
    if conflicts(doc, opened):
        return Saved(conflict=doc)
    text = text.replace("\r\n", "\n")
    if doc.draft is None and text == doc.published:
        return Saved(unchanged=True)
    problems = check(doc.course, {doc.file: text.encode()})
    stored = [{"path": p.path, "line": p.line, "message": p.message} for p in problems]
    if doc.draft is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Draft(
                        course_id=doc.course.id,
                        module_id=doc.module.id if doc.module else None,
                        file=doc.file,
                        text=text,
                        base_hash=doc.published_hash,
                        revision=1,
                        problems=stored,
                        updated_by_id=actor_id,
                        updated_at=utcnow(),
                    )
                )
        except IntegrityError:
            return Saved(conflict=reload(doc))
    else:
        changed = db.session.execute(
            update(Draft)
            .where(Draft.id == doc.draft.id, Draft.revision == doc.draft.revision)
            .values(
                text=text,
                revision=doc.draft.revision + 1,
                problems=stored,
                updated_by_id=actor_id,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            return Saved(conflict=reload(doc))
    return Saved(problems=problems)


def publish_doc(doc: Doc, text: str, opened: str, actor_id: int) -> Saved:
    """Publish the text as the document's new version, or keep it as a draft with its problems."""
    lock_course(doc.course.id)
    doc = reload(doc)
    if conflicts(doc, opened):
        return Saved(conflict=doc)
    text = text.replace("\r\n", "\n")
    outcome = publish(doc.course, {doc.file: text.encode()}, actor_id)
    if not outcome.ok:
        saved = save_draft(doc, text, opened, actor_id)
        return Saved(conflict=saved.conflict, problems=outcome.problems)
    discard(doc)
    return Saved(outcome=outcome)


def discard(doc: Doc) -> None:
    """Drop the document's draft; the published text is untouched."""
    if doc.draft is not None:
        db.session.execute(delete(Draft).where(Draft.id == doc.draft.id))


def reload(doc: Doc) -> Doc:
    """The document as it is now (after someone else's write); empty if its draft is gone."""
    db.session.expire_all()
    return load_doc(doc.course, doc.kind, doc.key) or Doc(
        doc.course, doc.kind, doc.key, doc.file, None, None, None
    )
