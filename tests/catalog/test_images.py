"""catalog.images: the type comes from the bytes, sizes are capped, SVG is made harmless."""

import io

import pytest
from PIL import Image as PILImage

from smresidency.catalog.images import (
    IMAGE_NAME,
    MAX_RASTER_BYTES,
    MAX_SVG_BYTES,
    ImageRejected,
    prepare_image,
    sanitise_svg,
    sniff,
)


def raster(fmt: str, size=(8, 6), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size, "teal" if mode == "RGB" else 1).save(buffer, fmt, **save)
    return buffer.getvalue()


def rejected(name: str, data: bytes) -> str:
    with pytest.raises(ImageRejected) as err:
        prepare_image(name, data)
    return str(err.value)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">%s</svg>'


@pytest.mark.parametrize(
    ("name", "fmt", "content_type"),
    [
        ("a.png", "PNG", "image/png"),
        ("a.jpg", "JPEG", "image/jpeg"),
        ("a.jpeg", "JPEG", "image/jpeg"),
        ("a.webp", "WEBP", "image/webp"),
    ],
)
def test_raster_images_are_kept_byte_for_byte(name, fmt, content_type):
    data = raster(fmt)
    image = prepare_image(name, data)
    assert image.content_type == content_type
    assert image.data == data
    assert sniff(data) == content_type


def test_the_bytes_decide_not_the_name():
    assert "the content is JPEG" in rejected("photo.png", raster("JPEG"))
    assert "the content is PNG" in rejected("photo.webp", raster("PNG"))
    message = rejected("notes.png", b"just some text pretending to be a picture\n")
    assert "the file name says .png" in message
    assert "not a PNG, JPEG or WebP image" in message


def test_other_kinds_of_file_are_refused_by_name():
    assert "PNG, JPEG, WebP or SVG" in rejected("anim.gif", raster("GIF"))
    assert "PNG, JPEG, WebP or SVG" in rejected("no-suffix", raster("PNG"))


def test_svg_content_under_a_raster_name_is_refused():
    assert "not a PNG, JPEG or WebP image" in rejected("x.png", SVG % b"<rect/>")


def test_raster_size_cap_is_exact():
    data = raster("PNG")
    padded = data + b"\0" * (MAX_RASTER_BYTES - len(data))
    assert len(prepare_image("big.png", padded).data) == MAX_RASTER_BYTES
    assert "at most 2 MB" in rejected("big.png", padded + b"\0")


def test_svg_size_cap_is_exact():
    filler = b"<!--" + b"x" * MAX_SVG_BYTES + b"-->"
    assert "at most 512 KB" in rejected("big.svg", SVG % filler)
    fits = SVG % (b"<!--" + b"x" * (MAX_SVG_BYTES - len(SVG) - 7) + b"-->")
    assert len(fits) <= MAX_SVG_BYTES
    assert prepare_image("fits.svg", fits).content_type == "image/svg+xml"


def test_too_many_pixels_is_refused_with_that_reason():
    small_file = raster("PNG", size=(7000, 7000), mode="1", optimize=True)
    assert len(small_file) < MAX_RASTER_BYTES
    assert "too many pixels" in rejected("huge.png", small_file)


def test_a_decompression_bomb_is_called_too_many_pixels():
    bomb = raster("PNG", size=(12_000, 12_000), mode="1", optimize=True)
    assert len(bomb) < MAX_RASTER_BYTES
    assert "too many pixels" in rejected("bomb.png", bomb)


def test_a_truncated_png_is_refused_as_damaged():
    data = raster("PNG", size=(64, 64))
    assert "damaged" in rejected("cut.png", data[: len(data) // 2])


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "cut.jpg"), ("WEBP", "cut.webp")])
def test_truncated_jpeg_and_webp_are_refused_as_damaged(fmt, name):
    buffer = io.BytesIO()
    PILImage.effect_noise((256, 256), 50).convert("RGB").save(buffer, fmt)
    data = buffer.getvalue()
    assert prepare_image(name, data).data == data
    assert "damaged" in rejected(name, data[: len(data) // 2])


def test_a_png_with_a_broken_checksum_is_refused_as_damaged():
    data = bytearray(raster("PNG", size=(64, 64)))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # flip a byte of the compressed pixels; the CRC no longer matches
    assert "damaged" in rejected("crc.png", bytes(data))


def test_svg_loses_scripts_events_outside_links_and_foreign_content():
    dirty = SVG % (
        b"<script>alert(1)</script>"
        b'<rect id="r" width="5" height="5" fill="teal" onclick="alert(2)" ONMOUSEOVER="x"/>'
        b'<use href="#r" x="5"/>'
        b'<use href="https://evil.example/sprite.svg#r"/>'
        b'<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(3)"/>'
        b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'
        b'<a href="javascript:alert(4)"><circle r="2"/></a>'
        b'<circle r="1" fill="url(https://evil.example/x)" style="fill: url(#grad)"/>'
        b'<set attributeName="href" to="javascript:alert(5)"/>'
        b'<image href="data:image/png;base64,AAAA"/>'
    )
    clean = prepare_image("pic.svg", dirty)
    assert clean.content_type == "image/svg+xml"
    text = clean.data.decode()
    for gone in ("script", "alert", "onclick", "evil.example", "foreignObject", "xhtml",
                 "<a", "<set", "<image", "data:"):  # fmt: skip
        assert gone.lower() not in text.lower(), gone
    assert '<rect id="r" width="5" height="5" fill="teal"' in text
    assert '<use href="#r" x="5"' in text
    assert 'style="fill: url(#grad)"' in text


def test_svg_keeps_the_drawing_and_text():
    text = sanitise_svg(
        SVG % b'<title>A chart</title><g><text x="1" y="2">Likes <tspan>up</tspan></text></g>'
    ).decode()
    assert text.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">')
    assert "<title>A chart</title>" in text
    assert "Likes <tspan>up</tspan>" in text


def test_svg_with_a_doctype_is_accepted_without_it():
    exported = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG % b"<rect/>"
    )
    clean = sanitise_svg(exported)
    assert b"DOCTYPE" not in clean
    assert b"svg11.dtd" not in clean
    assert clean.startswith(b"<svg")


def test_svg_declaring_entities_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' + SVG % b"<text>&lol2;</text>"
    )
    assert "entities" in rejected("lol.svg", laughs)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + SVG % b"<text>&x;</text>"
    )
    message = rejected("xxe.svg", external)
    assert "entities" in message
    assert "passwd" not in message


def test_sanitising_twice_changes_nothing():
    dirty = SVG % (
        b'<script>x</script><defs><linearGradient id="g"><stop offset="0"/></linearGradient>'
        b'</defs><rect fill="url(#g)" onload="x"/><use '
        b'xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="#g"/>'
    )
    once = sanitise_svg(dirty)
    assert sanitise_svg(once) == once
    assert prepare_image("a.svg", once).data == once


@pytest.mark.parametrize(
    "data",
    [b"not xml at all", b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", b""],
)
def test_broken_svg_is_refused(data):
    assert "not well-formed" in rejected("broken.svg", data)


def test_an_svg_must_have_svg_as_its_root():
    html = b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
    assert "<svg> as its root" in rejected("page.svg", html)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("chart.png", True),
        ("team-photo_2.jpeg", True),
        ("a.webp", True),
        ("logo.svg", True),
        ("Chart.png", False),
        ("my chart.png", False),
        ("../x.png", False),
        ("images/x.png", False),
        (".hidden.png", False),
        ("x.gif", False),
        ("x.png\n", False),
    ],
)
def test_image_names(name, ok):
    assert bool(IMAGE_NAME.match(name)) is ok
