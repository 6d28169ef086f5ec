"""One editable file of a course (a module, course.md, immersion.md, plan.md) with its state.

The studio edits files, not rows: a document is the published text, the draft over it, and
the path the text has inside `course_content/<course>/`.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.authoring.models import Draft
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.db import as_utc
from smresidency.extensions import db

PAGES = {
    "course": ("course.md", "Course page"),
    "immersion": ("immersion.md", "Immersion day checklist"),
    "plan": ("plan.md", "Strategy plan template"),
}
PAGE_COLUMNS = {"course": "course_text", "immersion": "immersion_text", "plan": "plan_text"}


def text_hash(text: str | None) -> str:
    """The hash versions are keyed by ('' when there is no text)."""
    return hashlib.sha256(text.encode()).hexdigest() if text is not None else ""


def module_name(slug: str) -> str:
    """A module's lasting name: its slug without the order number (`03-facebook` → `facebook`)."""
    return slug.split("-", 1)[1] if "-" in slug else slug


@dataclass
class Doc:
    course: Course
    kind: str  # "modules" | "pages"
    key: str  # module name, or a key of PAGES
    file: str
    module: Module | None
    published: str | None
    draft: Draft | None
    draft_author: str | None = None

    @property
    def published_hash(self) -> str:
        return text_hash(self.published)

    @property
    def text(self) -> str:
        """What the editor opens with: the draft if there is one, else the published text."""
        if self.draft is not None:
            return self.draft.text
        return self.published or ""

    @property
    def revision(self) -> int:
        return self.draft.revision if self.draft is not None else 0

    @property
    def draft_at(self):
        """When the draft was last saved, as an aware UTC time."""
        return as_utc(self.draft.updated_at) if self.draft is not None else None

    @property
    def retired(self) -> bool:
        return self.module is not None and self.module.retired

    @property
    def stale(self) -> bool:
        """The draft started from a text that is no longer the published one."""
        return self.draft is not None and self.draft.base_hash != self.published_hash

    @property
    def label(self) -> str:
        if self.kind == "pages":
            return PAGES[self.key][1]
        return self.file.removeprefix("modules/")


def load_doc(course: Course, kind: str, key: str) -> Doc | None:
    """The document, or None when the course has no such file or draft."""
    if kind == "pages":
        if key not in PAGES:
            return None
        file = PAGES[key][0]
        published = db.session.scalar(
            select(getattr(Course, PAGE_COLUMNS[key])).where(Course.id == course.id)
        )
        draft = _draft(select(Draft).where(Draft.course_id == course.id, Draft.file == file))
        if published is None and draft[0] is None and key == "course":
            return None
        return Doc(course, kind, key, file, None, published, *draft)
    if kind != "modules":
        return None
    modules = db.session.scalars(select(Module).where(Module.course_id == course.id)).all()
    matching = sorted(
        (m for m in modules if module_name(m.slug) == key), key=lambda m: (m.retired, m.id)
    )
    if matching:
        module = matching[0]
        published = db.session.scalar(
            select(ModuleVersion.source).where(
                ModuleVersion.module_id == module.id,
                ModuleVersion.content_hash == module.current_hash,
            )
        )
        draft = _draft(select(Draft).where(Draft.module_id == module.id))
        return Doc(course, kind, key, f"modules/{module.slug}.md", module, published, *draft)
    drafts = db.session.scalars(
        select(Draft).where(
            Draft.course_id == course.id,
            Draft.module_id.is_(None),
            Draft.file.like("modules/%"),
        )
    ).all()
    for d in drafts:
        if module_name(d.file.removeprefix("modules/").removesuffix(".md")) == key:
            return Doc(course, kind, key, d.file, None, None, *_draft_named(d))
    return None


def _draft(stmt) -> tuple[Draft | None, str | None]:
    draft = db.session.scalar(stmt.execution_options(populate_existing=True))
    return _draft_named(draft) if draft else (None, None)


def _draft_named(draft: Draft) -> tuple[Draft, str | None]:
    name = (
        db.session.scalar(select(User.name).where(User.id == draft.updated_by_id))
        if draft.updated_by_id
        else None
    )
    return draft, name
