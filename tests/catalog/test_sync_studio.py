"""Sync beside the studio: renames keep identity, studio edits survive a restart, files win
when they changed, course texts and images are versioned, and who published is recorded."""

import shutil
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from smresidency.authoring.publish import publish
from smresidency.catalog.models import (
    Course,
    CourseAsset,
    CourseFileVersion,
    Module,
    ModuleVersion,
)
from smresidency.catalog.sync import ContentInvalid, sync_content
from smresidency.learning.models import ModuleProgress


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _module(db, slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def _current_source(db, slug: str) -> str:
    module = _module(db, slug)
    return db.session.scalar(
        select(ModuleVersion.source).where(
            ModuleVersion.module_id == module.id,
            ModuleVersion.content_hash == module.current_hash,
        )
    )


def _studio_edit(db, user_id=None) -> bytes:
    """Publish a change to 01-first from the studio, as an instructor would."""
    course = db.session.scalar(select(Course))
    text = _current_source(db, "01-first").replace("Some lesson text", "Studio lesson text")
    outcome = publish(course, {"modules/01-first.md": text.encode()}, actor_id=user_id)
    assert outcome.ok, outcome.problems
    db.session.commit()
    return text.encode()


def test_renumbered_module_keeps_its_identity_and_progress(db, write_course, make_user):
    root = write_course()
    sync_content(root)
    db.session.commit()
    learner = make_user()
    module = _module(db, "02-second")
    version_id = db.session.scalar(
        select(ModuleVersion.id).where(ModuleVersion.module_id == module.id)
    )
    db.session.add(ModuleProgress(user_id=learner.id, module_id=module.id, version_id=version_id))
    db.session.commit()

    modules = root / "test-course" / "modules"
    (modules / "02-second.md").rename(modules / "03-second.md")
    report = sync_content(root)
    db.session.commit()

    assert report.modules_renamed == ["test-course/02-second -> 03-second"]
    assert report.modules_retired == [] and report.versions_added == []
    db.session.expire_all()
    renamed = _module(db, "03-second")
    assert renamed.id == module.id and not renamed.retired
    assert _module(db, "02-second") is None
    assert db.session.scalar(select(ModuleProgress.module_id)) == module.id


def test_disk_sync_keeps_studio_edits_when_the_files_are_unchanged(
    runner, db, write_course, make_user
):
    root = write_course()
    sync_content(root)
    db.session.commit()
    studio = _studio_edit(db, make_user("instructor").id)

    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output
    assert "kept studio edits (files unchanged since the last sync): test-course" in result.output
    db.session.expire_all()
    assert _current_source(db, "01-first").encode() == studio

    report = sync_content(root)
    assert report.studio_kept == ["test-course"] and not report.changed


def test_a_new_renderer_re_renders_kept_studio_edits(db, write_course, make_user):
    root = write_course()
    sync_content(root)
    db.session.commit()
    _studio_edit(db, make_user("instructor").id)
    course = db.session.scalar(select(Course))
    course.rendered_with = 0  # as if the renderer had changed since
    module = _module(db, "01-first")
    version = db.session.scalar(
        select(ModuleVersion).where(ModuleVersion.content_hash == module.current_hash)
    )
    version.rendered_with, version.lesson_html = 0, "<p>stale</p>"
    db.session.commit()

    report = sync_content(root)
    db.session.commit()
    db.session.expire_all()
    assert report.studio_kept == ["test-course"]
    assert "Studio lesson text" in _current_source(db, "01-first")
    version = db.session.get(ModuleVersion, version.id)
    assert version.rendered_with > 0 and "Studio lesson text" in version.lesson_html
    assert db.session.scalar(select(Course.rendered_with)) > 0


def test_changed_files_replace_studio_edits_which_stay_in_the_history(runner, db, write_course):
    root = write_course()
    sync_content(root)
    db.session.commit()
    studio = _studio_edit(db)
    path = root / "test-course" / "modules" / "01-first.md"
    path.write_text(path.read_text().replace("Some lesson text", "Disk lesson text"))

    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output
    assert (
        "replaced studio edits with the files on disk: test-course "
        "(the studio's versions stay in its history)"
    ) in result.output
    assert "new module version: test-course/01-first" in result.output
    db.session.expire_all()
    assert _current_source(db, "01-first") == path.read_text()
    module = _module(db, "01-first")
    sources = db.session.scalars(
        select(ModuleVersion.source).where(ModuleVersion.module_id == module.id)
    ).all()
    assert studio.decode() in sources and len(sources) == 3


def test_changed_files_report_studio_replaced(db, write_course):
    root = write_course()
    sync_content(root)
    db.session.commit()
    _studio_edit(db)
    path = root / "test-course" / "modules" / "02-second.md"
    path.write_text(path.read_text().replace("Some lesson text", "Other disk text"))
    report = sync_content(root)
    assert report.studio_replaced == ["test-course"] and report.studio_kept == []


def test_course_texts_get_one_version_per_distinct_text(db, synced_course, tmp_path):
    real = Path(current_app.config["CONTENT_DIR"]) / synced_course
    rows = db.session.execute(select(CourseFileVersion.file, CourseFileVersion.text)).all()
    assert sorted(file for file, _ in rows) == ["course.md", "immersion.md", "plan.md"]
    assert dict(rows)["course.md"] == (real / "course.md").read_text()

    copy = tmp_path / "copy"
    shutil.copytree(real, copy / synced_course)
    sync_content(copy)
    assert _count(db, CourseFileVersion) == 3  # the same texts: no new rows
    course_md = copy / synced_course / "course.md"
    original = course_md.read_text()
    course_md.write_text(original + "\nOne more sentence.\n")
    sync_content(copy)
    course_md.write_text(original)
    sync_content(copy)  # back to a text already seen: no row for it again
    assert _count(db, CourseFileVersion, CourseFileVersion.file == "course.md") == 2
    assert _count(db, CourseFileVersion) == 4


def test_versions_record_who_published_them(db, write_course, make_user):
    root = write_course()
    importer, editor = make_user("instructor"), make_user("instructor")
    sync_content(root, actor_id=importer.id)
    db.session.commit()
    assert set(db.session.scalars(select(ModuleVersion.created_by_id))) == {importer.id}
    assert db.session.scalar(select(CourseFileVersion.created_by_id)) == importer.id

    _studio_edit(db, editor.id)
    module = _module(db, "01-first")
    newest = db.session.scalar(
        select(ModuleVersion).where(
            ModuleVersion.module_id == module.id,
            ModuleVersion.content_hash == module.current_hash,
        )
    )
    assert newest.created_by_id == editor.id
    assert "Studio lesson text" in newest.source


def test_an_image_that_is_not_an_image_refuses_the_whole_sync(runner, db, write_course):
    root = write_course()
    sync_content(root)
    db.session.commit()
    first = root / "test-course" / "modules" / "01-first.md"
    first.write_text(first.read_text().replace("Some lesson text", "Changed text"))
    (root / "test-course" / "images").mkdir()
    bad = root / "test-course" / "images" / "chart.png"
    bad.write_text("this is text, not a PNG")

    with pytest.raises(ContentInvalid) as caught:
        sync_content(root)
    db.session.rollback()
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}:1: the file name says .png, but the content is not a PNG, JPEG or WebP image"
    ]
    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 1
    assert f"{bad}:1: the file name says .png" in result.output
    assert "Sync refused: 1 problem(s); nothing was changed." in result.output
    db.session.expire_all()
    assert _count(db, ModuleVersion) == 2
    assert _count(db, CourseAsset) == 0
