"""`flask content export`: the database's courses as files, and export → sync → export unchanged."""

import io
import zipfile
from pathlib import Path

from flask import current_app
from PIL import Image
from sqlalchemy import delete, func, select

from smresidency.catalog.export import course_tree, zip_tree
from smresidency.catalog.models import Course, CourseAsset, Module, ModuleVersion

COURSE = "social-media-residency"
REAL = Path(__file__).resolve().parents[2] / "course_content" / COURSE


def files(directory: Path) -> dict[str, bytes]:
    """Every file below a directory (course files or not), by relative path."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def png(width: int = 4, height: int = 3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def empty_the_catalog(db) -> None:
    """Delete every course; modules, versions, file versions and images go with them."""
    db.session.execute(delete(Course))
    db.session.commit()
    for model in (Module, ModuleVersion, CourseAsset):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def course_with_an_image(write_course) -> Path:
    root = write_course(
        modules={
            "01-first": {"body": "## Look\n\n![A pink test pattern](images/pattern.png)\n"},
            "02-second": {"requires": ["01-first"]},
        }
    )
    (root / "test-course" / "images").mkdir()
    (root / "test-course" / "images" / "pattern.png").write_bytes(png())
    (root / "test-course" / "plan.md").write_text((REAL / "plan.md").read_text())
    return root


def test_real_course_round_trips_byte_for_byte(runner, synced_course, db, tmp_path):
    first = runner.invoke(args=["content", "export", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert f"exported {COURSE}: 17 file(s) to {tmp_path / 'a' / COURSE}" in first.output
    exported = files(tmp_path / "a" / COURSE)
    original = files(Path(current_app.config["CONTENT_DIR"]) / COURSE)
    assert exported == original  # the real course is all Markdown: every file is identical

    empty_the_catalog(db)
    synced = runner.invoke(args=["content", "sync", str(tmp_path / "a")])
    assert synced.exit_code == 0, synced.output
    assert f"course added: {COURSE}" in synced.output
    second = runner.invoke(args=["content", "export", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    assert files(tmp_path / "b") == files(tmp_path / "a")


def test_images_round_trip(runner, db, write_course, tmp_path):
    root = course_with_an_image(write_course)
    assert runner.invoke(args=["content", "sync", str(root)]).exit_code == 0
    first = runner.invoke(args=["content", "export", str(tmp_path / "a")])
    assert "exported test-course: 5 file(s)" in first.output
    assert files(tmp_path / "a") == files(root)
    assert (tmp_path / "a" / "test-course" / "images" / "pattern.png").read_bytes() == png()

    empty_the_catalog(db)
    assert runner.invoke(args=["content", "sync", str(tmp_path / "a")]).exit_code == 0
    assert runner.invoke(args=["content", "export", str(tmp_path / "b")]).exit_code == 0
    assert files(tmp_path / "b") == files(tmp_path / "a")


def test_export_removes_stale_course_files_and_keeps_others(runner, db, write_course, tmp_path):
    root = write_course()
    runner.invoke(args=["content", "sync", str(root)])
    out = tmp_path / "out" / "test-course"
    runner.invoke(args=["content", "export", str(tmp_path / "out")])
    (out / "README.md").write_text("Notes for the team, not part of the course.\n")
    (out / "notes.txt").write_text("scratch\n")
    modules = root / "test-course" / "modules"
    (modules / "02-second.md").rename(modules / "03-second.md")
    renamed = runner.invoke(args=["content", "sync", str(root)])
    assert "module renamed: test-course/02-second -> 03-second" in renamed.output

    result = runner.invoke(args=["content", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(files(out)) == [
        "README.md",
        "course.md",
        "modules/01-first.md",
        "modules/03-second.md",
        "notes.txt",
    ]
    assert (out / "README.md").read_text() == "Notes for the team, not part of the course.\n"
    assert (out / "modules" / "03-second.md").read_bytes() == (
        modules / "03-second.md"
    ).read_bytes()


def test_export_of_named_courses_only(runner, db, write_course, tmp_path):
    root = write_course()
    write_course(slug="other-course", title="Other")
    runner.invoke(args=["content", "sync", str(root)])
    out = tmp_path / "out"
    result = runner.invoke(args=["content", "export", str(out), "--course", "other-course"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"exported other-course: 3 file(s) to {out / 'other-course'}"
    assert sorted(p.name for p in out.iterdir()) == ["other-course"]


def test_export_as_a_zip(runner, db, write_course, tmp_path):
    root = course_with_an_image(write_course)
    runner.invoke(args=["content", "sync", str(root)])
    target = tmp_path / "zips" / "test-course.zip"
    result = runner.invoke(
        args=["content", "export", "--zip", str(target), "--course", "test-course"]
    )
    assert result.exit_code == 0, result.output
    assert f"exported test-course: 5 file(s) to {target}" in result.output
    with zipfile.ZipFile(target) as archive:
        unzipped = {i.filename: archive.read(i) for i in archive.infolist()}
    assert unzipped == {f"test-course/{p}": b for p, b in files(root / "test-course").items()}
    course = db.session.scalar(select(Course))
    assert target.read_bytes() == zip_tree("test-course", course_tree(course))


def test_export_explains_what_is_wrong(runner, db, write_course, tmp_path):
    empty = runner.invoke(args=["content", "export", str(tmp_path)])
    assert empty.exit_code == 1
    assert "no course in the database; run flask content sync first" in empty.output

    runner.invoke(args=["content", "sync", str(write_course())])
    unknown = runner.invoke(args=["content", "export", str(tmp_path), "--course", "nope"])
    assert unknown.exit_code == 2
    assert "no course `nope` in the database (known: test-course)" in unknown.output

    no_course = runner.invoke(args=["content", "export", "--zip", str(tmp_path / "x.zip")])
    assert no_course.exit_code == 2
    assert "--zip writes one course: name it with --course SLUG" in no_course.output
    both = runner.invoke(
        args=["content", "export", str(tmp_path), "--zip", "x.zip", "--course", "test-course"]
    )
    assert both.exit_code == 2 and "give DEST or --zip FILE, not both" in both.output
    assert not (tmp_path / "x.zip").exists() and not Path("x.zip").exists()


def test_export_help_describes_the_command(runner):
    result = runner.invoke(args=["content", "export", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Each course goes to DEST/<slug>/ in the course_content layout" in text
    assert "other files, such as a README, are left alone" in text
    assert "--zip FILE" in text and "--course SLUG" in text
