"""A per-process copy of each course's structure, trusted only while the database's content
version is the one it was read at: a publish on any host bumps that version, so every worker
reloads on its next request instead of serving a stale course.
"""

import secrets
from dataclasses import dataclass, field

from flask import g, has_app_context
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from smresidency.catalog.models import ContentState, Course, Module, ModuleVersion, current_version
from smresidency.db import database_key
from smresidency.extensions import db


@dataclass(frozen=True)
class CourseInfo:
    """The course columns the learner's pages show."""

    id: int
    slug: str
    title: str
    description_html: str


@dataclass(frozen=True)
class ModuleInfo:
    """A module's place in its course."""

    id: int
    slug: str
    position: int
    retired: bool


@dataclass(frozen=True)
class VersionInfo:
    """A module's current version: everything the module page and the quiz need to read it."""

    id: int
    module_id: int
    content_hash: str
    title: str
    minutes: int
    requires: tuple[str, ...]
    question_count: int
    objectives: tuple[str, ...]
    lesson_html: str
    quiz: dict | None

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0


@dataclass(frozen=True)
class CourseStructure:
    """A course and its modules (live and retired) in course order."""

    course: CourseInfo
    modules: tuple[tuple[ModuleInfo, VersionInfo], ...]
    by_slug: dict[str, tuple[ModuleInfo, VersionInfo]] = field(default_factory=dict)


_VERSION = select(ContentState.version).where(ContentState.id == 1)
_COURSE = select(Course.id, Course.slug, Course.title, Course.description_html).where(
    Course.slug == bindparam("slug")
)
_MODULES = (
    select(Module, ModuleVersion)
    .join(ModuleVersion, current_version())
    .where(Module.course_id == bindparam("course_id"))
    .order_by(Module.position, Module.id)
)

_structures: dict[str, CourseStructure] = {}
_versions: dict[int, VersionInfo] = {}  # the current versions of the cached courses, by id
_loaded_at: list[tuple | None] = [None]  # (database, content version) _structures were read at
loads: list[str] = []  # slugs read from the database, in order: tests prove they are not repeated


def content_version() -> int:
    """The database's content version, read once per request (or app context)."""
    here = g._get_current_object()  # one context lookup, not one per use
    found = here.__dict__.get("content_version")
    if found is None:
        found = here.content_version = db.session.scalar(_VERSION) or 0
    return found


def structure(slug: str) -> CourseStructure | None:
    """The course's structure from this process's cache, reloaded when the version moved on."""
    version = (database_key(), content_version())
    if _loaded_at[0] != version:
        _structures.clear()
        _versions.clear()
        _loaded_at[0] = version
    found = _structures.get(slug)
    if found is None:
        found = _load(slug)
        if found is not None:
            _structures[slug] = found
            _versions.update((v.id, v) for _, v in found.modules)
    return found


def cached_version(version_id: int) -> VersionInfo | None:
    """A current version of a course this request already looked up (None otherwise)."""
    current = (database_key(), content_version())
    return _versions.get(version_id) if _loaded_at[0] == current else None


def _load(slug: str) -> CourseStructure | None:
    """Two statements: the course, then its modules with their current versions."""
    row = db.session.execute(_COURSE, {"slug": slug}).first()
    if row is None:
        return None
    loads.append(slug)
    course = CourseInfo(*row)
    modules = tuple(
        (
            ModuleInfo(m.id, m.slug, m.position, m.retired),
            VersionInfo(
                v.id,
                v.module_id,
                v.content_hash,
                v.title,
                v.minutes,
                tuple(v.requires or ()),
                v.question_count,
                tuple(v.objectives or ()),
                v.lesson_html,
                v.quiz,
            ),
        )
        for m, v in db.session.execute(_MODULES, {"course_id": course.id}).all()
    )
    return CourseStructure(course, modules, {m.slug: (m, v) for m, v in modules})


def bump(session: Session | None = None) -> None:
    """Tell every process that course content changed, in the transaction that changed it."""
    session = session or db.session
    connection = session.connection()
    # random rather than +1: a restored backup or another database never repeats a version
    version = secrets.randbelow(2**31 - 2) + 2
    done = connection.execute(
        update(ContentState).where(ContentState.id == 1).values(version=version)
    )
    if done.rowcount == 0:
        connection.execute(ContentState.__table__.insert().values(id=1, version=version))
    if has_app_context():
        g.pop("content_version", None)  # this request reads what it just wrote


@event.listens_for(Session, "before_flush")
def _note_content_change(session, flush_context, instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (Course, Module, ModuleVersion)) for obj in changed):
        session.info["content_changed"] = True


@event.listens_for(Session, "after_flush_postexec")
def _bump_on_content_change(session, flush_context) -> None:
    if session.info.pop("content_changed", False):
        bump(session)
