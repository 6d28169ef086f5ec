"""/media/<course>/<path>: course images from the database, cacheable and revalidated by ETag."""

import hashlib
import io

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from smresidency.catalog.models import CourseAsset
from smresidency.catalog.sync import sync_content

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">'
    b'<script>alert(1)</script><rect width="4" height="4" fill="teal"/></svg>'
)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (5, 3), "orange").save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()


@pytest.fixture
def course(app, write_course):
    """A small course with a PNG and an SVG in images/, synced; returns its content root."""
    root = write_course(slug="media-course")
    images = root / "media-course" / "images"
    images.mkdir()
    (images / "chart.png").write_bytes(PNG)
    (images / "logo.svg").write_bytes(SVG)
    with app.app_context():
        sync_content(root)
        from smresidency.extensions import db

        db.session.commit()
    return root


def test_serves_the_stored_bytes_with_their_type_and_cache_headers(client, course):
    response = client.get("/media/media-course/images/chart.png")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["ETag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
    assert response.cache_control.public
    assert response.cache_control.max_age > 0
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.last_modified is not None


def test_public_cached_images_do_not_carry_cookies(client, course, login_as):
    login_as("learner")
    response = client.get("/media/media-course/images/chart.png")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_matching_etag_gets_304_without_the_body(client, course):
    etag = client.get("/media/media-course/images/chart.png").headers["ETag"]
    again = client.get("/media/media-course/images/chart.png", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    stale = client.get("/media/media-course/images/chart.png", headers={"If-None-Match": '"old"'})
    assert stale.status_code == 200
    assert stale.data == PNG


def test_svg_is_served_sanitised_inside_a_sandbox(client, course):
    response = client.get("/media/media-course/images/logo.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<script" not in response.data
    assert b'fill="teal"' in response.data
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


def test_png_does_not_get_the_svg_policy(client, course):
    policy = client.get("/media/media-course/images/chart.png").headers["Content-Security-Policy"]
    assert "sandbox" not in policy


@pytest.mark.parametrize(
    "url",
    [
        "/media/media-course/images/missing.png",
        "/media/media-course/course.md",
        "/media/media-course/modules/01-first.md",
        "/media/other-course/images/chart.png",
        "/media/media-course/images/../images/chart.png",
    ],
)
def test_unknown_paths_are_404(client, course, url):
    assert client.get(url).status_code == 404


def test_an_image_removed_from_the_course_is_still_served(app, client, course):
    """Older module versions may still show it, so removal only stops the export."""
    (course / "media-course" / "images" / "chart.png").unlink()
    with app.app_context():
        report = sync_content(course)
        from smresidency.extensions import db

        db.session.commit()
        assert report.images_removed == ["media-course/images/chart.png"]
        removed = db.session.scalar(select(CourseAsset).where(CourseAsset.path.endswith(".png")))
        assert removed.removed_at is not None
    response = client.get("/media/media-course/images/chart.png")
    assert response.status_code == 200
    assert response.data == PNG
