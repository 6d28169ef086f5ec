"""Site settings: stored in the database, edited in the browser, configuration still wins."""

import io

import pytest
from PIL import Image

from tests.admin.conftest import text_of

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><rect onclick="x()" width="5" height="5"/></svg>'  # noqa: E501


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "navy").save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "navy").save(out, "JPEG")
    return out.getvalue()


FIELDS = {
    "organisation_name": "St Elsewhere Hospital",
    "signer_name": "Dr Ada Lovelace",
    "signer_title": "Director of Education",
    "accent_colour": "#6a1b9a",
    "support_email": "help@elsewhere.test",
    "privacy_md": "# Privacy\n\nWe keep **little**.<script>alert(1)</script>",
    "accessibility_md": "",
    "terms_md": "",
}


def save(client, **changes):
    return client.post(
        "/admin/settings",
        data={**FIELDS, **changes},
        content_type="multipart/form-data",
    )


def test_saved_settings_brand_every_page(client, login_as, audit_log):
    login_as("admin")
    response = save(client, logo=(io.BytesIO(png()), "logo.png"))
    assert response.status_code == 302

    home = client.get("/").get_data(as_text=True)
    assert 'alt="St Elsewhere Hospital"' in home and "/branding/logo?v=1" in home
    assert 'href="mailto:help@elsewhere.test"' in home
    assert '/pages/privacy"' in home and "/pages/terms" not in home  # empty pages are not linked
    assert "/branding.css?v=1" in home

    css = client.get("/branding.css?v=1").get_data(as_text=True)
    assert "--brand: #6a1b9a" in css and "--brand-dark: #4a126b" in css
    logo = client.get("/branding/logo?v=1")
    assert logo.mimetype == "image/png" and logo.data == png()

    privacy = client.get("/pages/privacy").get_data(as_text=True)
    assert "<strong>little</strong>" in privacy and "<script>alert" not in privacy
    assert client.get("/pages/terms").status_code == 404

    [entry] = audit_log()
    assert entry.action == "settings.changed"
    assert entry.after["organisation_name"] == "St Elsewhere Hospital"
    assert entry.after["logo"].startswith("new image/png image")


def test_svg_logo_is_sanitised(client, login_as):
    login_as("admin")
    assert save(client, logo=(io.BytesIO(SVG), "logo.svg")).status_code == 302
    served = client.get("/branding/logo")
    assert served.mimetype == "image/svg+xml"
    assert b"<script" not in served.data and b"onclick" not in served.data
    assert b"<rect" in served.data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.jpg", jpeg(), "upload a PNG or SVG file"),
        ("logo.png", jpeg(), "the file name says .png, but the content is JPEG"),
        ("logo.png", b"<html>not an image</html>", "the file name says .png"),
    ],
)
def test_bad_images_are_field_errors_and_nothing_is_saved(
    client, login_as, audit_log, name, data, message
):
    login_as("admin")
    response = save(client, logo=(io.BytesIO(data), name))
    assert response.status_code == 422
    assert message in text_of(response.get_data(as_text=True))
    assert audit_log() == []
    assert "St Elsewhere Hospital" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("purple", "Enter a colour as # and six hex digits"),
        ("#ffff00", "choose a darker colour"),
    ],
)
def test_accent_colour_must_be_readable(client, login_as, colour, message):
    login_as("admin")
    response = save(client, accent_colour=colour)
    assert response.status_code == 422
    assert message in text_of(response.get_data(as_text=True))


def test_control_characters_are_refused(client, login_as):
    login_as("admin")
    response = save(client, organisation_name="Evil\u202eHospital")
    assert response.status_code == 422
    assert "U+202E" in response.get_data(as_text=True)


def test_saving_nothing_new_is_not_audited(client, login_as, audit_log):
    login_as("admin")
    save(client)
    response = save(client)
    assert response.status_code == 302
    assert len(audit_log()) == 1


def test_removing_the_logo(client, login_as):
    login_as("admin")
    save(client, logo=(io.BytesIO(png()), "logo.png"))
    save(client, remove_logo="y")
    assert client.get("/branding/logo").status_code == 404
    assert "/branding/logo" not in client.get("/").get_data(as_text=True)


@pytest.fixture
def app_config():
    return {}


class TestConfigurationWins:
    @pytest.fixture
    def app_config(self):
        return {"ORGANISATION_NAME": "Configured Trust", "SUPPORT_EMAIL": "ops@trust.test"}

    def test_configured_values_win_and_the_page_says_so(self, client, login_as):
        login_as("admin")
        save(client)
        page = text_of(client.get("/admin/settings").get_data(as_text=True))
        assert "Set by the server's configuration (ORGANISATION_NAME)" in page
        assert "Set by the server's configuration (SUPPORT_EMAIL)" in page
        home = client.get("/").get_data(as_text=True)
        assert "Configured Trust" in home and "St Elsewhere Hospital" not in home
        assert "mailto:ops@trust.test" in home


def test_site_settings_is_read_once_per_request(app, client, login_as, count_queries):
    login_as("admin")
    save(client)
    with count_queries() as statements:
        assert client.get("/").status_code == 200
    # at most the settings row itself (the user loader's statement reads only its version;
    # a worker holding the saved version reads nothing: test_settings_cache.py)
    assert sum(s.lstrip().startswith("SELECT site_settings.") for s in statements) <= 1


def test_site_settings_outside_a_request(app, client, login_as):
    from smresidency.admin.settings import site_settings

    with app.app_context():
        assert site_settings().organisation_name == "Social Media Residency"
    login_as("admin")
    save(client)
    with app.app_context():
        site = site_settings()
        assert (site.organisation_name, site.signer_name, site.signer_title) == (
            "St Elsewhere Hospital",
            "Dr Ada Lovelace",
            "Director of Education",
        )
