"""`flask content validate|sync`: all or nothing, idempotent, versions by content hash."""

from pathlib import Path

from sqlalchemy import func, select

from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.learning.models import ModuleProgress


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_validate_real_content_passes(runner):
    result = runner.invoke(args=["content", "validate"])
    assert result.exit_code == 0, result.output
    assert "1 course(s), 14 module(s), no problems" in result.output


def test_validate_prints_file_line_problems_and_exits_1(runner, write_course):
    root = write_course()
    bad = root / "test-course" / "modules" / "02-second.md"
    bad.write_text(bad.read_text().replace("minutes: 10", "minutes: ten"))
    result = runner.invoke(args=["content", "validate", str(root)])
    assert result.exit_code == 1
    assert f"{bad}:3: `minutes` must be a whole number" in result.output


def test_sync_then_sync_again_changes_nothing(runner, db, write_course):
    root = write_course()
    first = runner.invoke(args=["content", "sync", str(root)])
    assert first.exit_code == 0, first.output
    assert "course added: test-course" in first.output
    assert "new module version: test-course/01-first" in first.output
    second = runner.invoke(args=["content", "sync", str(root)])
    assert "Nothing changed (2 module(s) already up to date)" in second.output
    assert _count(db, ModuleVersion) == 2


def test_sync_is_all_or_nothing(runner, db, write_course):
    root = write_course()
    runner.invoke(args=["content", "sync", str(root)])
    good = root / "test-course" / "modules" / "01-first.md"
    good.write_text(good.read_text().replace("Some lesson text", "Changed lesson text"))
    broken = root / "test-course" / "modules" / "02-second.md"
    broken.write_text(broken.read_text().replace("requires: [01-first]", "requires: [09-missing]"))
    result = runner.invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 1
    assert "`requires` names `09-missing`" in result.output
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert _count(db, ModuleVersion) == 2
    html = db.session.scalars(select(ModuleVersion.lesson_html)).all()
    assert not any("Changed lesson text" in h for h in html)


def test_changed_module_gets_a_new_version_and_old_records_keep_theirs(
    runner, db, write_course, make_user
):
    root = write_course()
    runner.invoke(args=["content", "sync", str(root)])
    user = make_user()
    module = db.session.scalar(select(Module).where(Module.slug == "01-first"))
    old_version = db.session.scalar(
        select(ModuleVersion).where(ModuleVersion.module_id == module.id)
    )
    db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, version_id=old_version.id))
    db.session.commit()

    path = root / "test-course" / "modules" / "01-first.md"
    path.write_text(path.read_text().replace("Some lesson text", "Revised lesson text"))
    result = runner.invoke(args=["content", "sync", str(root)])
    assert "new module version: test-course/01-first" in result.output
    db.session.expire_all()
    versions = db.session.scalars(
        select(ModuleVersion).where(ModuleVersion.module_id == module.id)
    ).all()
    assert len(versions) == 2
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.version_id == old_version.id
    assert "Some lesson text" in db.session.get(ModuleVersion, progress.version_id).lesson_html
    current = db.session.scalar(select(Module).where(Module.id == module.id))
    assert current.current_hash != old_version.content_hash


def test_removed_module_is_retired_not_deleted(runner, db, write_course):
    root = write_course(modules={"01-first": {}, "02-second": {}})
    runner.invoke(args=["content", "sync", str(root)])
    (root / "test-course" / "modules" / "02-second.md").unlink()
    result = runner.invoke(args=["content", "sync", str(root)])
    assert "module retired: test-course/02-second" in result.output
    db.session.expire_all()
    module = db.session.scalar(select(Module).where(Module.slug == "02-second"))
    assert module.retired is True
    assert _count(db, ModuleVersion) == 2


def test_sync_stores_sanitised_html_and_the_quiz_server_side(runner, db, write_course):
    root = write_course(
        modules={
            "01-first": {"quiz": True, "body": "## Hello\n\n<script>alert(1)</script>\n\nText.\n"}
        }
    )
    runner.invoke(args=["content", "sync", str(root)])
    version = db.session.scalar(select(ModuleVersion))
    assert "<script" not in version.lesson_html
    assert '<h2 id="hello">Hello</h2>' in version.lesson_html
    assert "Quiz" not in version.lesson_html
    assert version.quiz["questions"][0]["choices"][0]["correct"] is True


def test_real_course_syncs(synced_course, db):
    course = db.session.scalar(select(Course))
    assert course.slug == synced_course
    assert _count(db, Module) == 14
    assert course.immersion["items"][0]["id"] == "check-in"
    assert [s["id"] for s in course.plan["sections"]][:2] == ["goals", "audiences"]
    assert Path(db.session.scalar(select(ModuleVersion.source)).splitlines()[0]) == Path("---")
