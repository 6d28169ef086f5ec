"""Reads for the studio's content page: every course's files and their state, in five queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from smresidency.auth.models import User
from smresidency.authoring.documents import PAGE_COLUMNS, PAGES, module_name, text_hash
from smresidency.authoring.frontmatter import split_module
from smresidency.authoring.models import Draft
from smresidency.catalog.models import (
    Course,
    CourseFileVersion,
    Module,
    ModuleVersion,
    current_version,
)
from smresidency.db import as_utc
from smresidency.extensions import db


@dataclass
class Row:
    """One file of a course on the content page."""

    kind: str
    key: str
    file: str
    title: str
    published_at: datetime | None = None
    published_by: str | None = None
    versions: int = 0
    retired: bool = False
    draft_at: datetime | None = None
    draft_by: str | None = None
    problems: int = 0
    stale: bool = False
    current_hash: str = ""

    @property
    def last_edit(self) -> tuple[datetime | None, str | None]:
        """Who touched the file last, and when: the draft if newer than the published version."""
        if self.draft_at and (not self.published_at or self.draft_at >= self.published_at):
            return self.draft_at, self.draft_by
        return self.published_at, self.published_by


@dataclass
class CourseFiles:
    course: Course
    pages: list[Row]
    modules: list[Row]


def content_overview() -> list[CourseFiles]:
    """Every course with its pages and modules (retired ones last), drafts and problems."""
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    texts = {
        cid: dict(zip(PAGES, rest, strict=True))
        for cid, *rest in db.session.execute(
            select(Course.id, *(getattr(Course, PAGE_COLUMNS[k]) for k in PAGES))
        )
    }
    creator = aliased(User)
    modules = db.session.execute(
        select(Module, ModuleVersion.title, ModuleVersion.created_at, creator.name)
        .join(
            ModuleVersion,
            current_version(),
        )
        .outerjoin(creator, creator.id == ModuleVersion.created_by_id)
        .order_by(Module.retired, Module.position)
    ).all()
    counts = dict(
        db.session.execute(
            select(ModuleVersion.module_id, func.count()).group_by(ModuleVersion.module_id)
        ).all()
    )
    page_versions = db.session.execute(
        select(
            CourseFileVersion.course_id,
            CourseFileVersion.file,
            CourseFileVersion.content_hash,
            CourseFileVersion.created_at,
            creator.name,
        ).outerjoin(creator, creator.id == CourseFileVersion.created_by_id)
    ).all()
    drafts = db.session.execute(
        select(Draft, User.name).outerjoin(User, User.id == Draft.updated_by_id)
    ).all()
    by_course: dict[int, CourseFiles] = {}
    for course in courses:
        pages = []
        for key, (file, label) in PAGES.items():
            text = texts[course.id][key]
            row = Row("pages", key, file, label, current_hash=text_hash(text))
            for cid, vfile, digest, at, name in page_versions:
                if cid == course.id and vfile == file:
                    row.versions += 1
                    if digest == text_hash(text):
                        row.published_at, row.published_by = as_utc(at), name
            pages.append(row)
        by_course[course.id] = CourseFiles(course, pages, [])
    module_rows: dict[int, Row] = {}
    for module, title, at, name in modules:
        row = Row("modules", module_name(module.slug), f"modules/{module.slug}.md", title)
        row.published_at, row.published_by = as_utc(at), name
        row.versions, row.retired = counts.get(module.id, 0), module.retired
        row.current_hash = module.current_hash
        module_rows[module.id] = row
        by_course[module.course_id].modules.append(row)
    new_modules: dict[int, list[Row]] = defaultdict(list)
    for draft, name in drafts:
        row = _draft_row(draft, module_rows, by_course, new_modules)
        if row is None:
            continue
        row.draft_at, row.draft_by, row.problems = (
            as_utc(draft.updated_at),
            name,
            len(draft.problems),
        )
        row.stale = draft.base_hash not in ("", row.current_hash)
    for course_id, rows in new_modules.items():
        by_course[course_id].modules.extend(rows)
    return list(by_course.values())


def _draft_row(draft, module_rows, by_course, new_modules) -> Row | None:
    if draft.course_id not in by_course:
        return None
    if draft.module_id is not None:
        return module_rows.get(draft.module_id)
    if draft.file.startswith("modules/"):
        slug = draft.file.removeprefix("modules/").removesuffix(".md")
        title = split_module(draft.text)[0].title or module_name(slug)
        row = Row("modules", module_name(slug), draft.file, f"{title} (new, not yet published)")
        new_modules[draft.course_id].append(row)
        return row
    for page in by_course[draft.course_id].pages:
        if page.file == draft.file:
            return page
    return None


def live_modules(course_id: int) -> list[tuple[str, str]]:
    """(slug, title) of the course's live modules in order: what `requires` may name."""
    return list(
        db.session.execute(
            select(Module.slug, ModuleVersion.title)
            .join(
                ModuleVersion,
                current_version(),
            )
            .where(Module.course_id == course_id, Module.retired.is_(False))
            .order_by(Module.position)
        ).all()
    )
