"""Put validated content into the database: all or nothing, idempotent, versioned by hash."""

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from smresidency.catalog.loader import CourseSource, ModuleSource, load_content
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.catalog.problems import Problem
from smresidency.catalog.render import RENDERER_VERSION, render_inline, render_markdown
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
    modules_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.courses_added
            or self.courses_updated
            or self.versions_added
            or self.modules_retired
        )


def sync_content(root: Path | str) -> SyncReport:
    """Validate everything under root, then write it; any problem means nothing is written."""
    courses, problems = load_content(root)
    if problems:
        raise ContentInvalid(problems)
    report = SyncReport()
    for source in courses:
        _sync_course(source, report)
    db.session.flush()
    return report


def image_base(course_slug: str) -> str:
    """Where a course's images are served from."""
    return f"/media/{course_slug}"


def _sync_course(source: CourseSource, report: SyncReport) -> None:
    course = db.session.scalar(select(Course).where(Course.slug == source.slug))
    if course is None:
        course = Course(slug=source.slug)
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
    db.session.flush()
    existing = {
        m.slug: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))
    }
    seen = set()
    for position, module_source in enumerate(source.modules, start=1):
        seen.add(module_source.slug)
        _sync_module(course, existing.get(module_source.slug), module_source, position, report)
    for slug, module in existing.items():
        if slug not in seen and not module.retired:
            module.retired = True
            report.modules_retired.append(f"{source.slug}/{slug}")


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
    course: Course, module: Module | None, source: ModuleSource, position: int, report: SyncReport
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
