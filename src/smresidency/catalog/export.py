"""The database's published state of a course as files: the exact `course_content/` layout."""

import io
import zipfile

from sqlalchemy import select

from smresidency.catalog.models import Course, CourseAsset, Module, ModuleVersion, current_version
from smresidency.extensions import db


def course_tree(course: Course) -> dict[str, bytes]:
    """Every published file of the course, keyed by its path inside the course directory.

    Three statements whatever the size of the course: texts, module sources, images.
    """
    texts = db.session.execute(
        select(Course.course_text, Course.immersion_text, Course.plan_text).where(
            Course.id == course.id
        )
    ).one()
    tree: dict[str, bytes] = {}
    for name, text in zip(("course.md", "immersion.md", "plan.md"), texts, strict=True):
        if text is not None:
            tree[name] = text.encode()
    rows = db.session.execute(
        select(Module.slug, ModuleVersion.source)
        .join(
            ModuleVersion,
            current_version(),
        )
        .where(Module.course_id == course.id, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    for slug, source in rows:
        tree[f"modules/{slug}.md"] = source.encode()
    assets = db.session.execute(
        select(CourseAsset.path, CourseAsset.data).where(
            CourseAsset.course_id == course.id, CourseAsset.removed_at.is_(None)
        )
    ).all()
    for path, data in assets:
        tree[path] = data
    return tree


def zip_tree(slug: str, tree: dict[str, bytes]) -> bytes:
    """A .zip holding `<slug>/…` exactly as in `course_content/`, with fixed timestamps.

    Fixed timestamps make two exports of the same content byte-identical archives.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree):
            info = zipfile.ZipInfo(f"{slug}/{path}", date_time=(2000, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, tree[path])
    return buffer.getvalue()
