"""Put validated content into the database: all or nothing, idempotent, versioned by hash."""

import hashlib
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from smresidency.catalog import cache
from smresidency.catalog.export import course_tree
from smresidency.catalog.images import Image, ImageRejected, prepare_image
from smresidency.catalog.loader import CourseSource, ModuleSource, load_content, load_course
from smresidency.catalog.models import (
    Course,
    CourseAsset,
    CourseFileVersion,
    Module,
    ModuleVersion,
)
from smresidency.catalog.problems import Problem
from smresidency.catalog.render import RENDERER_VERSION, render_inline, render_markdown
from smresidency.catalog.tree import images_of, read_tree, tree_hash, write_tree
from smresidency.db import utcnow
from smresidency.extensions import db


class ContentInvalid(Exception):
    """Sync refused: the content has problems, and nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass
class SyncReport:
    """What a sync changed, for the console."""

    courses_added: list[str] = field(default_factory=list)
    courses_updated: list[str] = field(default_factory=list)
    versions_added: list[str] = field(default_factory=list)
    rerendered: list[str] = field(default_factory=list)
    modules_retired: list[str] = field(default_factory=list)
    modules_renamed: list[str] = field(default_factory=list)
    images_added: list[str] = field(default_factory=list)
    images_removed: list[str] = field(default_factory=list)
    studio_kept: list[str] = field(default_factory=list)
    studio_replaced: list[str] = field(default_factory=list)
    modules_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.courses_added
            or self.courses_updated
            or self.versions_added
            or self.modules_retired
            or self.modules_renamed
            or self.images_added
            or self.images_removed
        )


def sync_content(
    root: Path | str, actor_id: int | None = None, from_disk: bool = True
) -> SyncReport:
    """Validate everything under root, then write it; any problem means nothing is written.

    `actor_id` is recorded on every new version. A sync `from_disk` (the CLI) leaves a course
    alone when its files have not changed since the last disk sync but the studio has
    published since: restarting the app must not undo the instructors' work.
    """
    courses, problems = load_content(root)
    images: dict[str, dict[str, Image]] = {}
    for source in courses:
        images[source.slug] = {}
        for path, data in images_of(read_tree(source.path)).items():
            try:
                images[source.slug][path] = prepare_image(path, data)
            except ImageRejected as err:
                problems.append(Problem(str(source.path / path), 1, str(err)))
    if problems:
        raise ContentInvalid(sorted(problems))
    report = SyncReport()
    for source in courses:
        _sync_course(source, images[source.slug], report, actor_id, from_disk)
    db.session.flush()
    cache.bump()  # every worker's course cache is stale from this commit on
    return report


def loaded_tree(source: CourseSource, images: dict[str, Image]) -> dict[str, bytes]:
    """The course as it will be stored: texts as the loader read them, images as served."""
    tree = {"course.md": source.text.encode()}
    for name in ("immersion", "plan"):
        section = getattr(source, name)
        if section is not None:
            tree[f"{name}.md"] = section.text.encode()
    for module in source.modules:
        tree[f"modules/{module.slug}.md"] = module.text.encode()
    tree.update({path: image.data for path, image in images.items()})
    return tree


def _published_source(course: Course) -> tuple[CourseSource, dict[str, Image]]:
    """The course as the database has it, read back by the loader (it was valid when stored)."""
    tree = course_tree(course)
    with tempfile.TemporaryDirectory(prefix="smr-published-") as tmp:
        write_tree(tree, Path(tmp) / course.slug)
        source = load_course(Path(tmp) / course.slug, [])
    images = {path: prepare_image(path, data) for path, data in images_of(tree).items()}
    return source, images


def image_base(course_slug: str) -> str:
    """Where a course's images are served from."""
    return f"/media/{course_slug}"


def _sync_course(
    source: CourseSource,
    images: dict[str, Image],
    report: SyncReport,
    actor_id: int | None,
    from_disk: bool,
) -> None:
    course = db.session.scalar(select(Course).where(Course.slug == source.slug))
    digest = tree_hash(loaded_tree(source, images))
    if from_disk and course is not None and course.disk_hash != digest:
        published = tree_hash(course_tree(course))
        if published not in (digest, course.disk_hash) and course.disk_hash is not None:
            report.studio_replaced.append(source.slug)
    elif (
        from_disk
        and course is not None
        and course.disk_hash == digest
        and tree_hash(course_tree(course)) != digest
    ):
        report.studio_kept.append(source.slug)
        if course.rendered_with == RENDERER_VERSION:
            return
        # a new renderer still re-renders what the studio published
        source, images = _published_source(course)
        from_disk = False
    if course is None:
        # '' = made in the studio: a later disk sync over it reports what it replaces.
        course = Course(slug=source.slug, disk_hash=None if from_disk else "")
        db.session.add(course)
        report.courses_added.append(source.slug)
    elif course.content_hash != source.content_hash:
        report.courses_updated.append(source.slug)
    elif course.rendered_with != RENDERER_VERSION:
        report.rerendered.append(source.slug)
    if course.content_hash != source.content_hash or course.rendered_with != RENDERER_VERSION:
        course.rendered_with = RENDERER_VERSION
        course.title = source.title
        course.summary = source.summary
        course.description_html = render_markdown(source.description, image_base(source.slug))
        course.hours = source.hours
        course.organisation = source.organisation
        course.competencies = [asdict(c) for c in source.competencies]
        course.certificate = source.certificate
        course.immersion = _without_text(source.immersion)
        course.plan = _without_text(source.plan)
        course.content_hash = source.content_hash
        course.synced_at = utcnow()
    if from_disk:
        course.disk_hash = digest
    db.session.flush()
    _sync_course_files(course, source, actor_id)
    _sync_images(course, images, report, actor_id)
    existing = {
        m.slug: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))
    }
    incoming = {m.slug for m in source.modules}
    seen = set()
    for position, module_source in enumerate(source.modules, start=1):
        module = existing.get(module_source.slug) or _renamed(
            existing, incoming, module_source.slug, report, course.slug
        )
        seen.add(module.slug if module else module_source.slug)
        _sync_module(course, module, module_source, position, report, actor_id)
    for slug, module in existing.items():
        if slug not in seen and module.slug not in seen and not module.retired:
            module.retired = True
            report.modules_retired.append(f"{source.slug}/{slug}")


def _renamed(
    existing: dict[str, Module], incoming: set[str], slug: str, report: SyncReport, course: str
) -> Module | None:
    """A module whose number changed (a reorder) keeps its identity, records and progress."""
    name = slug.split("-", 1)[1]
    candidates = [
        m for old, m in existing.items() if old not in incoming and old.split("-", 1)[1] == name
    ]
    if not candidates:
        return None
    module = min(candidates, key=lambda m: (m.retired, m.id))
    report.modules_renamed.append(f"{course}/{module.slug} -> {slug}")
    module.slug = slug
    return module


def _sync_course_files(course: Course, source: CourseSource, actor_id: int | None) -> None:
    """Keep the raw course-level texts, and a version row for each text never seen before."""
    texts = {
        "course.md": source.text,
        "immersion.md": source.immersion.text if source.immersion else None,
        "plan.md": source.plan.text if source.plan else None,
    }
    course.course_text = texts["course.md"]
    course.immersion_text = texts["immersion.md"]
    course.plan_text = texts["plan.md"]
    known = set(
        db.session.execute(
            select(CourseFileVersion.file, CourseFileVersion.content_hash).where(
                CourseFileVersion.course_id == course.id
            )
        ).all()
    )
    for file, text in texts.items():
        if text is None:
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        if (file, digest) not in known:
            db.session.add(
                CourseFileVersion(
                    course_id=course.id,
                    file=file,
                    content_hash=digest,
                    text=text,
                    created_by_id=actor_id,
                )
            )


def _sync_images(
    course: Course, images: dict[str, Image], report: SyncReport, actor_id: int | None
) -> None:
    """Images are stored in the database; one gone from the files stops being exported.

    It is still served, because older module versions may show it.
    """
    existing = {
        a.path: a
        for a in db.session.scalars(select(CourseAsset).where(CourseAsset.course_id == course.id))
    }
    for path, image in images.items():
        digest = hashlib.sha256(image.data).hexdigest()
        asset = existing.get(path)
        if asset is None:
            asset = CourseAsset(course_id=course.id, path=path, created_by_id=actor_id)
            db.session.add(asset)
        elif asset.sha256 == digest and asset.removed_at is None:
            continue
        else:
            asset.created_by_id = actor_id
            asset.created_at = utcnow()
        asset.data, asset.sha256, asset.size = image.data, digest, len(image.data)
        asset.content_type, asset.removed_at = image.content_type, None
        report.images_added.append(f"{course.slug}/{path}")
    for path, asset in existing.items():
        if path not in images and asset.removed_at is None:
            asset.removed_at = utcnow()
            report.images_removed.append(f"{course.slug}/{path}")


def render_quiz(quiz: dict) -> dict:
    """Add sanitised HTML beside each text of the quiz, so pages never parse Markdown."""
    for q in quiz["questions"]:
        q["stem_html"] = render_inline(q["stem"])
        q["detail_html"] = render_markdown(q["detail"]) if q["detail"] else ""
        q["feedback_html"] = render_inline(q["feedback"]) if q["feedback"] else ""
        for c in q["choices"]:
            c["text_html"] = render_inline(c["text"])
            c["feedback_html"] = render_inline(c["feedback"]) if c["feedback"] else ""
    return quiz


def _without_text(section) -> dict | None:
    if section is None:
        return None
    data = asdict(section)
    data.pop("text", None)
    return data


def _sync_module(
    course: Course,
    module: Module | None,
    source: ModuleSource,
    position: int,
    report: SyncReport,
    actor_id: int | None,
) -> None:
    digest = source.content_hash
    if module is None:
        module = Module(
            course_id=course.id, slug=source.slug, position=position, current_hash=digest
        )
        db.session.add(module)
        db.session.flush()
    unchanged = module.current_hash == digest and module.position == position and not module.retired
    version = db.session.scalar(
        select(ModuleVersion).where(
            ModuleVersion.module_id == module.id, ModuleVersion.content_hash == digest
        )
    )
    if version is None:
        db.session.add(
            ModuleVersion(
                module_id=module.id,
                content_hash=digest,
                title=source.title,
                minutes=source.minutes,
                objectives=source.objectives,
                requires=source.requires,
                lesson_html=render_markdown(source.lesson, image_base(course.slug)),
                quiz=render_quiz(source.quiz.to_dict()) if source.quiz else None,
                question_count=len(source.quiz.questions) if source.quiz else 0,
                source=source.text,
                rendered_with=RENDERER_VERSION,
                created_by_id=actor_id,
            )
        )
        report.versions_added.append(f"{course.slug}/{source.slug}")
    elif version.rendered_with != RENDERER_VERSION:
        version.lesson_html = render_markdown(source.lesson, image_base(course.slug))
        version.quiz = render_quiz(source.quiz.to_dict()) if source.quiz else None
        version.rendered_with = RENDERER_VERSION
        report.rerendered.append(f"{course.slug}/{source.slug}")
    elif unchanged:
        report.modules_unchanged += 1
    elif module.current_hash != digest or module.retired:
        report.versions_added.append(f"{course.slug}/{source.slug} (earlier version restored)")
    module.current_hash = digest
    module.position = position
    module.retired = False
