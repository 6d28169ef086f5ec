"""Studio image uploads: checked by their bytes, listed with their Markdown, usable in lessons."""

import hashlib
import io
import re

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from smresidency.authoring.publish import publish
from smresidency.catalog.images import MAX_RASTER_BYTES
from smresidency.catalog.models import CourseAsset, Module, ModuleVersion
from smresidency.catalog.queries import course_by_slug
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from tests.builders import module_text

SLUG = "img-course"
PAGE = f"/studio/{SLUG}/images"


def picture(fmt: str = "PNG", colour: str = "teal", size=(12, 8)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def course(app, write_course):
    """A one-module course synced from disk; returns its content root."""
    root = write_course(slug=SLUG, title="Image course", modules={"01-x": {}})
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return root


@pytest.fixture
def instructor(login_as, course):
    return login_as("instructor")


def upload(client, data: bytes, filename: str, alt="A teal rectangle", **fields):
    form = {"file": (io.BytesIO(data), filename), "alt": alt, **fields}
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def assets(app) -> dict[str, CourseAsset]:
    with app.app_context():
        rows = db.session.scalars(select(CourseAsset)).all()
        for row in rows:
            _ = row.data  # load the deferred bytes before the session closes
        return {row.path: row for row in rows}


def test_an_uploaded_png_is_listed_with_its_snippet_and_served(app, client, instructor):
    data = picture()
    response = upload(client, data, "teal.png")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(PAGE)

    page = client.get(PAGE).get_data(as_text=True)
    assert "Uploaded teal.png." in page
    assert page.count("![A teal rectangle](images/teal.png)") == 2  # the flash and the list
    assert f'src="/media/{SLUG}/images/teal.png"' in page
    assert 'alt="A teal rectangle"' in page
    assert instructor.name in page
    assert f"{len(data)} bytes" in page

    stored = assets(app)["images/teal.png"]
    assert (stored.alt, stored.created_by_id, stored.content_type) == (
        "A teal rectangle",
        instructor.id,
        "image/png",
    )
    served = client.get(f"/media/{SLUG}/images/teal.png")
    assert served.status_code == 200
    assert served.data == data
    assert served.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type"),
    [("JPEG", "photo.jpg", "image/jpeg"), ("WEBP", "photo.webp", "image/webp")],
)
def test_jpeg_and_webp_are_accepted(app, client, instructor, fmt, filename, content_type):
    data = picture(fmt)
    assert upload(client, data, filename).status_code == 303
    stored = assets(app)[f"images/{filename}"]
    assert stored.content_type == content_type
    assert client.get(f"/media/{SLUG}/images/{filename}").data == data


def test_an_svg_is_stored_without_its_script(app, client, instructor):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" onload="alert(1)">'
        b'<script>alert(2)</script><rect width="4" height="4" fill="teal"/></svg>'
    )
    assert upload(client, svg, "diagram.svg", alt="A teal square").status_code == 303
    served = client.get(f"/media/{SLUG}/images/diagram.svg")
    assert served.mimetype == "image/svg+xml"
    assert b'<rect width="4" height="4" fill="teal"' in served.data
    assert b"script" not in served.data
    assert b"alert" not in served.data
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_text_named_png_is_refused_and_nothing_is_stored(app, client, instructor):
    response = upload(client, b"this is only text\n", "chart.png")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file name says .png, but the content is not a PNG, JPEG or WebP image." in page
    assert 'value="A teal rectangle"' in page  # what was typed is kept
    assert assets(app) == {}


def test_missing_alt_text_is_refused(app, client, instructor):
    response = upload(client, picture(), "teal.png", alt="   ")
    assert response.status_code == 422
    assert "Describe the image for people who cannot see it." in response.get_data(as_text=True)
    assert assets(app) == {}


def test_alt_text_over_300_characters_is_refused(app, client, instructor):
    response = upload(client, picture(), "teal.png", alt="x" * 301)
    assert response.status_code == 422
    assert "under 300 characters" in response.get_data(as_text=True)
    assert assets(app) == {}


def test_too_big_is_refused(app, client, instructor):
    data = picture()
    big = data + b"\0" * (MAX_RASTER_BYTES + 1 - len(data))
    response = upload(client, big, "big.png")
    assert response.status_code == 422
    assert "Images may be at most 2 MB." in response.get_data(as_text=True)
    assert assets(app) == {}


def test_a_damaged_png_is_refused(app, client, instructor):
    data = picture(size=(64, 64))
    response = upload(client, data[: len(data) // 2], "cut.png")
    assert response.status_code == 422
    assert "The image is damaged or truncated" in response.get_data(as_text=True)
    assert assets(app) == {}


def test_a_file_is_required(app, client, instructor):
    response = client.post(PAGE, data={"alt": "Something"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose an image file to upload." in response.get_data(as_text=True)


def test_the_same_name_with_other_bytes_is_refused(app, client, instructor):
    first = picture(colour="teal")
    assert upload(client, first, "logo.png").status_code == 303
    response = upload(client, picture(colour="red"), "logo.png")
    assert response.status_code == 422
    assert "An image called logo.png already exists; choose another name." in response.get_data(
        as_text=True
    )
    assert client.get(f"/media/{SLUG}/images/logo.png").data == first


def test_the_same_bytes_again_change_nothing_and_say_so(app, client, instructor):
    data = picture()
    upload(client, data, "logo.png")
    before = assets(app)["images/logo.png"]
    response = upload(client, data, "logo.png", alt="Another description")
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "logo.png was already uploaded with exactly these bytes; nothing changed." in page
    after = assets(app)["images/logo.png"]
    assert (after.id, after.created_at, after.alt) == (before.id, before.created_at, before.alt)


def test_the_name_defaults_to_the_file_name_lower_cased_with_dashes(app, client, instructor):
    assert upload(client, picture(), "Team Photo.PNG").status_code == 303
    assert list(assets(app)) == ["images/team-photo.png"]


def test_a_chosen_name_replaces_the_file_name(app, client, instructor):
    assert upload(client, picture(), "IMG_0001.PNG", name="ward-round.png").status_code == 303
    assert list(assets(app)) == ["images/ward-round.png"]


@pytest.mark.parametrize(
    ("filename", "name", "message"),
    [
        ("Café menu.png", "", "“café-menu.png” cannot be used as it is"),
        ("teal.png", "Teal Square.png", "For the file name, use lower-case letters"),
        ("teal.png", "../teal.png", "For the file name, use lower-case letters"),
    ],
)
def test_names_lessons_cannot_use_are_refused(app, client, instructor, filename, name, message):
    response = upload(client, picture(), filename, name=name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert assets(app) == {}


def test_the_page_keeps_the_module_the_author_came_from(app, client, instructor):
    page = client.get(f"{PAGE}?module=x").get_data(as_text=True)
    assert re.search(r'name="back" type="hidden" value="x"', page)
    assert f'href="/studio/{SLUG}/modules/x">Back to the module</a>' in page

    response = upload(client, picture(), "teal.png", back="x")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PAGE}?module=x")

    refused = upload(client, b"text", "teal2.png", back="x")
    assert "Back to the module" in refused.get_data(as_text=True)


def test_a_back_value_that_is_not_a_module_name_is_ignored(client, instructor):
    page = client.get(f"{PAGE}?module=../../evil").get_data(as_text=True)
    assert "Back to the module" not in page
    assert "evil" not in page


def test_empty_state(client, instructor):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "This course has no images yet." in page.get_data(as_text=True)


def test_the_list_takes_the_same_statements_however_many_images(client, instructor, count_queries):
    upload(client, picture(colour="red"), "one.png")
    with count_queries() as one:
        assert client.get(PAGE).status_code == 200
    for colour in ("green", "blue", "white"):
        upload(client, picture(colour=colour), f"{colour}.png")
    with count_queries() as four:
        page = client.get(PAGE)
    assert page.get_data(as_text=True).count('class="thumb"') == 4
    assert len(four) == len(one)


def test_learners_are_refused(client, course, login_as):
    login_as("learner")
    assert client.get(PAGE).status_code == 403
    assert upload(client, picture(), "teal.png").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, course):
    for response in (client.get(PAGE), upload(client, picture(), "teal.png")):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_unknown_course_is_404(client, instructor):
    assert client.get("/studio/no-such-course/images").status_code == 404
    form = {"file": (io.BytesIO(picture()), "teal.png"), "alt": "A teal rectangle"}
    response = client.post(
        "/studio/no-such-course/images", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 404


LESSON = "## Charts\n\n![A teal rectangle](images/teal.png)\n"


def test_a_lesson_can_publish_with_an_uploaded_image(app, client, instructor):
    assert upload(client, picture(), "teal.png").status_code == 303
    with app.app_context():
        course = course_by_slug(SLUG)
        outcome = publish(
            course, {"modules/01-x.md": module_text("X", body=LESSON).encode()}, instructor.id
        )
        db.session.commit()
        assert outcome.ok, outcome.problems
        html = db.session.scalar(
            select(ModuleVersion.lesson_html)
            .join(Module, Module.id == ModuleVersion.module_id)
            .where(ModuleVersion.content_hash == Module.current_hash)
        )
        assert f'src="/media/{SLUG}/images/teal.png"' in html
    assert assets(app)["images/teal.png"].removed_at is None  # the publish kept it


def test_a_lesson_naming_an_image_never_uploaded_is_refused(app, instructor):
    with app.app_context():
        course = course_by_slug(SLUG)
        outcome = publish(
            course, {"modules/01-x.md": module_text("X", body=LESSON).encode()}, instructor.id
        )
        assert not outcome.ok
        assert [(p.path, p.message) for p in outcome.problems] == [
            (
                "modules/01-x.md",
                "image `images/teal.png` does not exist "
                "(paths are relative to the course directory)",
            )
        ]


def test_a_sync_of_unchanged_files_keeps_uploaded_images(app, client, course, instructor):
    """Restarting with the same course_content/ must not drop what instructors uploaded."""
    upload(client, picture(), "teal.png")
    with app.app_context():
        report = sync_content(course)
        db.session.commit()
        assert report.images_removed == []
    assert assets(app)["images/teal.png"].removed_at is None
    assert client.get(f"/media/{SLUG}/images/teal.png").status_code == 200


def test_a_removed_image_comes_back_with_the_same_bytes_but_not_with_others(
    app, client, course, instructor
):
    """Older module versions still show a removed image, so its name keeps its bytes."""
    data = picture()
    images = course / SLUG / "images"
    images.mkdir()
    (images / "old.png").write_bytes(data)
    with app.app_context():
        sync_content(course)
        (images / "old.png").unlink()
        assert sync_content(course).images_removed == [f"{SLUG}/images/old.png"]
        db.session.commit()
    assert "old.png" not in client.get(PAGE).get_data(as_text=True)

    refused = upload(client, picture(colour="red"), "old.png")
    assert refused.status_code == 422
    assert "older module versions still show it" in refused.get_data(as_text=True)

    assert upload(client, data, "old.png").status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "old.png is back among the course&#39;s images." in page
    assert assets(app)["images/old.png"].removed_at is None
