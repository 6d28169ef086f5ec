"""Moving a course between installations: export it as a .zip, import one back.

The zip is the `course_content/` layout, so it also goes into git and comes back with
`flask content sync`. An import is a sync of the unpacked files: validated as a whole,
all or nothing, and a course that exists gets new versions (learners' records stay).
"""

import tempfile
from pathlib import Path

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import Length, Optional

from smresidency.access import allow
from smresidency.authoring.blueprint import bp
from smresidency.authoring.publish import lock_course, relative_problems
from smresidency.authoring.views import course_or_404
from smresidency.authoring.zipimport import (
    TEMP_PREFIX,
    SlugNeeded,
    ZipRejected,
    sweep_stale,
    unpack_course,
)
from smresidency.catalog.export import course_tree, zip_tree
from smresidency.catalog.models import Course
from smresidency.catalog.sync import ContentInvalid, SyncReport, sync_content
from smresidency.extensions import db

SHOWN_IGNORED = 20  # names listed in the flash; the rest are counted


class ImportForm(FlaskForm):
    file = FileField(
        "Course .zip file",
        description=(
            "A course exported from the studio or with `flask content export`: one folder "
            "named after the course, or course.md at the zip's root. At most 500 files and "
            "20 MB unpacked."
        ),
        validators=[
            FileRequired("Choose a .zip file to import."),
            FileAllowed(["zip"], "Choose a .zip file (the course_content layout, zipped)."),
        ],
        render_kw={"accept": ".zip,application/zip"},
    )
    slug = StringField(
        "Course slug (optional)",
        description=(
            "Leave empty to use the folder's name in the zip, or the zip's file name when "
            "course.md is at its root. A slug that exists updates that course."
        ),
        validators=[Optional(), Length(max=100)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


@bp.get("/<course_slug>/export.zip")
@allow("instructor")
def export_zip(course_slug: str):
    """The published course as a .zip of its files, to move it or to put it in git."""
    course = course_or_404(course_slug)
    response = Response(zip_tree(course.slug, course_tree(course)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{course.slug}.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/import")
@allow("instructor")
def import_form():
    """Where an instructor chooses a course .zip to bring in."""
    return render_template("authoring/import.html", form=ImportForm(), problems=[], ignored=[])


@bp.post("/import")
@allow("instructor")
def import_course():
    """Check the whole zip first; publish all of it or nothing, listing every problem."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form)
    upload = form.file.data
    sweep_stale()
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        try:
            unpacked = unpack_course(upload.read(), upload.filename, form.slug.data, Path(tmp))
        except SlugNeeded as err:
            form.slug.errors = [*form.slug.errors, str(err)]
            return _page(form)
        except ZipRejected as err:
            form.file.errors = [*form.file.errors, str(err)]
            return _page(form)
        existing = db.session.scalar(select(Course.id).where(Course.slug == unpacked.slug))
        if existing is not None:
            lock_course(existing)  # queue behind a publish of the same course
        try:
            report = sync_content(tmp, actor_id=current_user.id, from_disk=False)
        except ContentInvalid as err:
            db.session.rollback()
            problems = relative_problems(err.problems, Path(tmp) / unpacked.slug)
            return _page(form, problems=problems, ignored=unpacked.ignored, slug=unpacked.slug)
    flash(summary(unpacked.slug, report), "success")
    if unpacked.ignored:
        flash(ignored_note(unpacked.ignored), "info")
    return redirect(url_for("studio.index"), 303)


def _page(form: ImportForm, problems=(), ignored=(), slug: str = ""):
    page = render_template(
        "authoring/import.html", form=form, problems=problems, ignored=ignored, slug=slug
    )
    return page, 422


def summary(slug: str, report: SyncReport) -> str:
    """One sentence an instructor can check against what they meant to import."""
    if slug in report.courses_added:
        parts = [f"Course {slug} added"]
    elif report.changed:
        parts = [f"Course {slug} updated"]
    else:
        return f"Course {slug} imported: nothing changed, it already matched what was published."
    for count, one, many in (
        (len(report.versions_added), "new module version", "new module versions"),
        (len(report.modules_renamed), "module renumbered", "modules renumbered"),
        (len(report.modules_retired), "module retired", "modules retired"),
        (len(report.images_added), "image added", "images added"),
        (len(report.images_removed), "image removed", "images removed"),
    ):
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    head, rest = parts[0], parts[1:]
    return f"{head}: {', '.join(rest)}." if rest else f"{head}."


def ignored_note(ignored: list[str]) -> str:
    """The files of the zip that are not part of a course, so nothing vanishes unnoticed."""
    shown = ", ".join(ignored[:SHOWN_IGNORED])
    more = f" and {len(ignored) - SHOWN_IGNORED} more" if len(ignored) > SHOWN_IGNORED else ""
    return f"Ignored {len(ignored)} file(s) that are not part of a course: {shown}{more}."
