"""A course's structure: new modules, their order (the NN- of each file) and retirement.

Order lives in file names, and `requires` names modules by those file names, so a reorder
is a set of file renames plus a rewrite of every `requires` that named a renamed file.
Everything goes through `publish`: the same validation as any other change, all or nothing.
Module identities (and so learners' records) survive because sync matches renamed files.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from smresidency.authoring.documents import Doc, module_name, text_hash
from smresidency.authoring.frontmatter import (
    ModuleFields,
    compose_module,
    front_matter,
    split_module,
)
from smresidency.authoring.models import Draft
from smresidency.authoring.publish import Changes, Outcome, check, lock_course, publish
from smresidency.catalog.models import Course, Module, ModuleVersion, current_version
from smresidency.db import utcnow
from smresidency.extensions import db

NAME_RULE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME = 40
MAX_NUMBER = 99
RESERVED_NAMES = {"new"}  # /studio/<course>/modules/new is the new-module page
STARTER_BODY = "## Introduction\n\nWrite the lesson here.\n"


class LayoutRefused(Exception):
    """The structure change cannot be made; the message says why, for the author."""


class NameRefused(LayoutRefused):
    """The new module's name is malformed or taken."""


@dataclass
class LiveModule:
    """A live module as the structure pages need it: identity, title and published source."""

    module: Module
    title: str
    source: str

    @property
    def name(self) -> str:
        return module_name(self.module.slug)

    @property
    def path(self) -> str:
        return module_path(self.module.slug)


def module_path(slug: str) -> str:
    """Where a module's file lives inside the course directory."""
    return f"modules/{slug}.md"


def number_of(slug: str) -> int:
    """The order number of a module slug (`03-facebook` → 3); 0 when it has none."""
    head = slug.split("-", 1)[0]
    return int(head) if head.isdigit() else 0


def slug_for(number: int, name: str) -> str:
    """The slug a module gets at a place in the order; the name part never changes."""
    return f"{number:02d}-{name}"


def live_modules(course: Course) -> list[LiveModule]:
    """The course's live modules in order, with their current title and source text."""
    rows = db.session.execute(
        select(Module, ModuleVersion.title, ModuleVersion.source)
        .join(
            ModuleVersion,
            current_version(),
        )
        .where(Module.course_id == course.id, Module.retired.is_(False))
        .order_by(Module.position, Module.id)
        .execution_options(populate_existing=True)
    ).all()
    return [LiveModule(m, title, source) for m, title, source in rows]


def _fresh(module_id: int) -> tuple[Module, str]:
    """The module and its published source as they are now, after taking the course lock."""
    module, source = db.session.execute(
        select(Module, ModuleVersion.source)
        .join(
            ModuleVersion,
            current_version(),
        )
        .where(Module.id == module_id)
        .execution_options(populate_existing=True)
    ).one()
    return module, source


def _module_drafts(course: Course) -> list[Draft]:
    return db.session.scalars(
        select(Draft)
        .where(Draft.course_id == course.id, Draft.file.like("modules/%"))
        .order_by(Draft.file)
        .execution_options(populate_existing=True)
    ).all()


def _new_module_drafts(course: Course) -> list[Draft]:
    return [d for d in _module_drafts(course) if d.module_id is None]


def _draft_slug(draft: Draft) -> str:
    return draft.file.removeprefix("modules/").removesuffix(".md")


def next_number(course: Course) -> int:
    """One more than the highest number used by a live module or a pending new module."""
    used = [number_of(m.module.slug) for m in live_modules(course)]
    used += [number_of(_draft_slug(d)) for d in _new_module_drafts(course)]
    return max(used, default=0) + 1


def name_from_title(title: str) -> str:
    """A file name from a title: lower-case ASCII words joined by `-`, at most 40 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = ""
    for word in re.findall(r"[a-z0-9]+", ascii_title.lower()):
        candidate = f"{name}-{word}" if name else word
        if len(candidate) > MAX_NAME:
            return name or word[:MAX_NAME]
        name = candidate
    return name


def name_problem(course: Course, name: str) -> str | None:
    """Why this name cannot be a new module's, or None; retired modules keep their names."""
    if not NAME_RULE.match(name) or len(name) > MAX_NAME:
        return (
            f"Use lower-case letters, digits and single hyphens, at most {MAX_NAME} characters "
            "(for example `tiktok-basics`)."
        )
    if name in RESERVED_NAMES:
        return f"`{name}` is reserved for the studio's own pages; choose another name."
    slugs = db.session.scalars(select(Module.slug).where(Module.course_id == course.id)).all()
    if name in {module_name(s) for s in slugs}:
        return f"A module named `{name}` exists in this course (retired ones keep their names)."
    if name in {module_name(_draft_slug(d)) for d in _new_module_drafts(course)}:
        return f"A new module named `{name}` is already being written; open it from the studio."
    return None


def create_module(course: Course, title: str, name: str, minutes: int, actor_id: int) -> Draft:
    """A draft of a new module, numbered after every other, holding a valid starter text."""
    lock_course(course.id)
    problem = name_problem(course, name)
    if problem:
        raise NameRefused(problem)
    number = next_number(course)
    if number > MAX_NUMBER:
        raise LayoutRefused(
            f"The course already uses module number {MAX_NUMBER}: reorder the modules "
            "(which numbers them from 01 again) before adding another."
        )
    file = module_path(slug_for(number, name))
    text = front_matter(ModuleFields(title=title, minutes=minutes)) + STARTER_BODY
    problems = check(course, {file: text.encode()})
    draft = Draft(
        course_id=course.id,
        module_id=None,
        file=file,
        text=text,
        base_hash="",
        revision=1,
        problems=[{"path": p.path, "line": p.line, "message": p.message} for p in problems],
        updated_by_id=actor_id,
        updated_at=utcnow(),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def rewrite_requires(text: str, renames: dict[str, str]) -> str:
    """The module text with `requires` entries renamed; other text is left as it was."""
    fields, front = split_module(text)
    if front is None or not any(r in renames for r in fields.requires):
        return text
    fields.requires = [renames.get(r, r) for r in fields.requires]
    return compose_module(fields, text)


def requiring(course: Course, slug: str) -> list[LiveModule]:
    """Live modules whose `requires` names this slug: they would break if it went away."""
    out = []
    for live in live_modules(course):
        fields, _ = split_module(live.source)
        if slug in fields.requires and live.module.slug != slug:
            out.append(live)
    return out


def reorder(course: Course, order: list[int], actor_id: int) -> Outcome | None:
    """Renumber the modules 01..NN in this order of ids and publish; None when nothing changes.

    A module published since the author opened the page (not in `order`) goes last.
    """
    lock_course(course.id)
    rank = {module_id: i for i, module_id in enumerate(order)}
    ordered = sorted(live_modules(course), key=lambda live: rank.get(live.module.id, len(rank)))
    renames = {
        live.module.slug: slug_for(i, live.name)
        for i, live in enumerate(ordered, start=1)
        if live.module.slug != slug_for(i, live.name)
    }
    if not renames:
        return None
    changes: Changes = {}
    for live in ordered:
        new_slug = renames.get(live.module.slug, live.module.slug)
        text = rewrite_requires(live.source, renames)
        if new_slug != live.module.slug:
            changes[live.path] = None
        if new_slug != live.module.slug or text != live.source:
            changes[module_path(new_slug)] = text.encode()
    sources = {live.module.id: live.source for live in ordered}
    outcome = publish(course, changes, actor_id)
    if outcome.ok:
        _follow_drafts(course, renames, sources, len(ordered))
    return outcome


def _follow_drafts(
    course: Course, renames: dict[str, str], sources: dict[int, str], count: int
) -> None:
    """Drafts move with their modules, name the new slugs, and new modules come after them."""
    slugs = dict(
        db.session.execute(
            select(Module.id, Module.slug).where(Module.course_id == course.id)
        ).all()
    )
    following = count
    for draft in _module_drafts(course):
        if draft.module_id is not None:
            draft.file = module_path(slugs[draft.module_id])
        else:
            following += 1
            draft.file = module_path(slug_for(following, module_name(_draft_slug(draft))))
        text = rewrite_requires(draft.text, renames)
        old_source = sources.get(draft.module_id)
        if old_source is not None and draft.base_hash == text_hash(old_source):
            draft.base_hash = text_hash(rewrite_requires(old_source, renames))
        if text != draft.text:
            draft.text, draft.revision = text, draft.revision + 1
    db.session.flush()


def retire(doc: Doc, actor_id: int) -> Outcome:
    """Take a live module out of the course; sync keeps its row (and records) as retired."""
    lock_course(doc.course.id)
    module, _ = _fresh(doc.module.id)
    if module.retired:
        raise LayoutRefused("This module is retired already.")
    blockers = requiring(doc.course, module.slug)
    if blockers:
        raise LayoutRefused(
            "Other modules require this one: " + ", ".join(b.title for b in blockers) + "."
        )
    return publish(doc.course, {module_path(module.slug): None}, actor_id)


def unretire(doc: Doc, actor_id: int) -> Outcome:
    """Bring a retired module back as the last one; sync finds it again by its name."""
    course = doc.course
    lock_course(course.id)
    module, source = _fresh(doc.module.id)
    if not module.retired:
        raise LayoutRefused("This module is live already.")
    number = next_number(course)
    if number > MAX_NUMBER:
        raise LayoutRefused(
            f"The course already uses module number {MAX_NUMBER}: reorder the modules first."
        )
    new_slug = slug_for(number, doc.key)
    live = {m.name: m.module.slug for m in live_modules(course)}
    fields, _ = split_module(source)
    renames = {r: live[module_name(r)] for r in fields.requires if module_name(r) in live}
    text = rewrite_requires(source, renames)
    outcome = publish(course, {module_path(new_slug): text.encode()}, actor_id)
    draft = db.session.scalar(
        select(Draft).where(Draft.module_id == module.id).execution_options(populate_existing=True)
    )
    if outcome.ok and draft is not None:
        draft.file = module_path(new_slug)
        text = rewrite_requires(draft.text, renames)
        if draft.base_hash == text_hash(source):
            draft.base_hash = text_hash(rewrite_requires(source, renames))
        if text != draft.text:
            draft.text, draft.revision = text, draft.revision + 1
        db.session.flush()
    return outcome
