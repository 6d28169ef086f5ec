"""Studio export and import of a course as a .zip: safe, validated first, all or nothing."""

import io
import stat
import zipfile

import pytest
from sqlalchemy import delete, func, select

from smresidency.authoring.models import Draft
from smresidency.catalog.export import course_tree
from smresidency.catalog.models import (
    Course,
    CourseAsset,
    CourseFileVersion,
    Module,
    ModuleVersion,
)
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from tests.catalog.test_export import course_with_an_image, files, png

COURSE = "social-media-residency"
TABLES = (Course, Module, ModuleVersion, CourseFileVersion, CourseAsset)


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def course_zip(root, slug="test-course", prefix=None, extra=None) -> bytes:
    """The course directory `root/slug` as a zip, under `prefix/` (default: the slug)."""
    prefix = slug if prefix is None else prefix
    lead = f"{prefix}/" if prefix else ""
    entries = {lead + path: data for path, data in files(root / slug).items()}
    return zipped({**entries, **(extra or {})})


def upload(client, data: bytes, filename="test-course.zip", slug=""):
    return client.post(
        "/studio/import",
        data={"file": (io.BytesIO(data), filename), "slug": slug},
        content_type="multipart/form-data",
    )


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_export_zip_is_the_published_course(app, client, login_as, synced_course):
    login_as("instructor")
    response = client.get(f"/studio/{COURSE}/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{COURSE}.zip"'
    assert response.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        unzipped = {i.filename: archive.read(i) for i in archive.infolist()}
    with app.app_context():
        tree = course_tree(db.session.scalar(select(Course)))
    assert unzipped == {f"{COURSE}/{path}": data for path, data in tree.items()}
    assert len(unzipped) == 3 + 14  # course.md, immersion.md, plan.md and 14 modules


def test_export_zip_of_an_unknown_course_is_404(client, login_as, synced_course):
    login_as("instructor")
    assert client.get("/studio/no-such-course/export.zip").status_code == 404
    login_as("learner")
    assert client.get(f"/studio/{COURSE}/export.zip").status_code == 403


def test_import_form(client, login_as):
    login_as("instructor")
    response = client.get("/studio/import")
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Import a course</h1>" in html
    assert '<label for="file">Course .zip file</label>' in html
    assert '<label for="slug">Course slug (optional)</label>' in html
    assert 'enctype="multipart/form-data"' in html


def test_import_a_new_course_with_its_images(app, client, login_as, write_course):
    root = course_with_an_image(write_course)
    user = login_as("instructor")
    response = upload(client, course_zip(root))
    assert response.status_code == 303, text(response)
    assert response.headers["Location"] == "/studio/"
    assert flashes(client) == [
        (
            "success",
            "Course test-course added: 2 new module versions, 1 image added.",
        )
    ]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "test-course"))
        assert course_tree(course) == files(root / "test-course")
        assert course.disk_hash == ""  # made in the studio, never synced from the server's files
        authors = db.session.scalars(select(ModuleVersion.created_by_id)).all()
        assert authors == [user.id, user.id]
        asset = db.session.scalar(select(CourseAsset))
        assert (asset.path, asset.data, asset.created_by_id) == (
            "images/pattern.png",
            png(),
            user.id,
        )


def test_export_then_import_into_an_empty_database_round_trips(
    app, client, login_as, synced_course
):
    login_as("instructor")
    first = client.get(f"/studio/{COURSE}/export.zip").data
    with app.app_context():
        db.session.execute(delete(Course))
        db.session.commit()
    assert counts(app)["Module"] == 0
    response = upload(client, first, filename="anything.zip")
    assert response.status_code == 303, text(response)
    assert client.get(f"/studio/{COURSE}/export.zip").data == first


def test_a_zip_with_course_md_at_its_root(app, client, login_as, write_course):
    root = write_course()
    login_as("instructor")
    bare = course_zip(root, prefix="")
    named = upload(client, bare, filename="Course Export (2).zip")
    assert named.status_code == 422
    assert "`Course Export (2)` cannot be a course&#39;s slug" in text(named)
    assert 'aria-describedby="slug-help slug-error"' in text(named)

    assert upload(client, bare, filename="Course Export (2).zip", slug="copied").status_code == 303
    assert upload(client, bare, filename="from-stem.zip").status_code == 303
    with app.app_context():
        slugs = db.session.scalars(select(Course.slug).order_by(Course.slug)).all()
    assert slugs == ["copied", "from-stem"]


def test_importing_an_existing_course_adds_versions_and_keeps_records(
    app, client, login_as, write_course, make_user
):
    root = write_course()
    learner = make_user()
    with app.app_context():
        sync_content(root)
        module = db.session.scalar(select(Module).where(Module.slug == "01-first"))
        version = db.session.scalar(
            select(ModuleVersion.id).where(ModuleVersion.module_id == module.id)
        )
        db.session.add(ModuleProgress(user_id=learner.id, module_id=module.id, version_id=version))
        db.session.add(
            Draft(
                course_id=module.course_id,
                module_id=module.id,
                file="modules/01-first.md",
                text="a draft",
                base_hash=module.current_hash,
            )
        )
        db.session.commit()
        module_id = module.id
    path = root / "test-course" / "modules" / "01-first.md"
    path.write_text(path.read_text().replace("Some lesson text", "Imported lesson text"))
    (root / "test-course" / "modules" / "02-second.md").unlink()

    login_as("instructor")
    response = upload(client, course_zip(root))
    assert response.status_code == 303, text(response)
    assert flashes(client) == [
        ("success", "Course test-course updated: 1 new module version, 1 module retired.")
    ]
    with app.app_context():
        module = db.session.get(Module, module_id)
        versions = select(func.count()).where(ModuleVersion.module_id == module_id)
        assert db.session.scalar(versions) == 2
        assert db.session.scalar(select(ModuleProgress.version_id)) == version
        assert db.session.scalar(select(Draft.text)) == "a draft"  # stale now, but kept
        assert db.session.scalar(select(Module.retired).where(Module.slug == "02-second"))
        course = db.session.get(Course, module.course_id)
        assert "Imported lesson text" in course_tree(course)["modules/01-first.md"].decode()

    again = upload(client, course_zip(root))
    assert again.status_code == 303
    assert flashes(client)[-1] == (
        "success",
        "Course test-course imported: nothing changed, it already matched what was published.",
    )


def test_invalid_content_lists_every_problem_and_changes_nothing(
    app, client, login_as, write_course
):
    root = write_course()
    with app.app_context():
        sync_content(root)
        db.session.commit()
    before = counts(app)
    course = root / "test-course"
    first = course / "modules" / "01-first.md"
    first.write_text(first.read_text().replace("Some lesson text", "Changed lesson text"))
    second = course / "modules" / "02-second.md"
    second.write_text(second.read_text().replace("minutes: 10", "minutes: ten"))
    (course / "modules" / "03-third.md").write_text("no front matter\n")
    (course / "images").mkdir()
    (course / "images" / "chart.png").write_text("not a png")

    login_as("instructor")
    response = upload(client, course_zip(root))
    assert response.status_code == 422
    html = text(response)
    assert "Nothing was imported: 3 problems in test-course" in html
    for problem in (
        "images/chart.png:1: the file name says .png, but the content is not a PNG, JPEG or WebP",
        "modules/02-second.md:3: `minutes` must be a whole number",
        "modules/03-third.md:1: ",
    ):
        assert f"<li><code>{problem}" in html
    assert "smr-import" not in html  # paths inside the course, never the temporary directory
    assert counts(app) == before
    with app.app_context():
        sources = db.session.scalars(select(ModuleVersion.source)).all()
    assert not any("Changed lesson text" in s for s in sources)


def test_files_outside_the_course_are_ignored_and_listed(app, client, login_as, write_course):
    root = write_course()
    extra = {
        "README.txt": b"read me",
        "test-course/notes.docx": b"notes",
        "__MACOSX/test-course/._course.md": b"mac",
    }
    login_as("instructor")
    response = upload(client, course_zip(root, extra=extra))
    assert response.status_code == 303, text(response)
    assert flashes(client)[-1] == (
        "info",
        "Ignored 3 file(s) that are not part of a course: "
        "README.txt, __MACOSX/test-course/._course.md, test-course/notes.docx.",
    )
    with app.app_context():
        assert sorted(course_tree(db.session.scalar(select(Course)))) == [
            "course.md",
            "modules/01-first.md",
            "modules/02-second.md",
        ]


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test-course/course.md", "---\ntitle: X\n---\n")
        link = zipfile.ZipInfo("test-course/modules/01-a.md")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _encrypted_zip() -> bytes:
    """A zip whose entry declares itself password-protected (flag bit 0), as a tool writes it."""
    data = bytearray(zipped({"test-course/course.md": b"scrambled"}))
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    return bytes(data)


COURSE_MD = b"---\ntitle: X\n---\n"
UNSAFE = {
    "absolute path": (
        zipped({"/test-course/course.md": COURSE_MD}),
        "is an absolute path; paths must be relative.",
    ),
    "parent directory": (
        zipped({"test-course/course.md": COURSE_MD, "test-course/../../evil.md": b"x"}),
        "`test-course/../../evil.md` in the zip points outside its folder",
    ),
    "symbolic link": (_symlink_zip(), "is a symbolic link; links are not accepted."),
    "too many entries": (
        zipped({f"test-course/images/{n}.png": b"" for n in range(501)}),
        "The zip holds 501 entries; a course zip may hold at most 500.",
    ),
    "too large": (
        zipped({"test-course/course.md": COURSE_MD, "test-course/big.png": bytes(21 << 20)}),
        "The zip&#39;s files add up to more than 20 MB once unpacked.",
    ),
    "encrypted": (_encrypted_zip(), "is encrypted; export it without a password."),
    "not a zip": (b"just some text, not an archive", "The file is not a .zip archive"),
    "several courses": (
        zipped({"one/course.md": COURSE_MD, "two/course.md": COURSE_MD}),
        "The zip holds several top-level folders (one/, two/); import one course at a time.",
    ),
    "no course.md": (zipped({"test-course/modules/01-a.md": b"x"}), "No course.md found"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_or_unusable_zips_are_refused(app, client, login_as, tmp_path, case):
    data, message = UNSAFE[case]
    login_as("instructor")
    response = upload(client, data)
    assert response.status_code == 422
    html = text(response)
    assert message in html
    assert 'aria-describedby="file-help file-error"' in html
    assert counts(app) == dict.fromkeys(
        ("Course", "Module", "ModuleVersion", "CourseFileVersion", "CourseAsset"), 0
    )


def test_a_file_that_is_not_named_zip_is_refused(client, login_as):
    login_as("instructor")
    response = upload(client, b"x", filename="course.tar.gz")
    assert response.status_code == 422
    assert "Choose a .zip file" in text(response)
    assert "Choose a .zip file to import." in text(upload(client, b"", filename=""))


def test_learners_cannot_import(client, login_as, write_course):
    login_as("learner")
    assert client.get("/studio/import").status_code == 403
    assert upload(client, course_zip(write_course())).status_code == 403
