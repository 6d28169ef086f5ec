"""Course images: the type is read from the bytes, sizes are capped and SVG is sanitised.

Plain Python (Pillow, defusedxml): the sync, the studio upload and the tests share it.
"""

import io
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException, EntitiesForbidden

SUFFIX_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
MAX_RASTER_BYTES = 2 * 1024 * 1024
MAX_SVG_BYTES = 512 * 1024
MAX_PIXELS = 40_000_000
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}\.(png|jpe?g|webp|svg)\Z")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "lineargradient", "radialgradient", "stop", "clippath",
    "mask", "symbol", "use", "pattern", "marker", "metadata",
}  # fmt: skip
UNSAFE_VALUE = re.compile(r"javascript:|data:|url\(\s*['\"]?(?!#)|expression\(", re.I)
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class ImageRejected(ValueError):
    """The file is not an image we serve; the message says why, for the author."""


@dataclass(frozen=True)
class Image:
    data: bytes
    content_type: str


def prepare_image(name: str, data: bytes) -> Image:
    """Check one image file by its bytes and return what is stored (SVG sanitised)."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = SUFFIX_TYPES.get(suffix)
    if expected is None:
        raise ImageRejected("images must be PNG, JPEG, WebP or SVG (.png .jpg .webp .svg)")
    if expected == "image/svg+xml":
        if len(data) > MAX_SVG_BYTES:
            raise ImageRejected(f"SVG files may be at most {MAX_SVG_BYTES // 1024} KB")
        return Image(sanitise_svg(data), expected)
    if len(data) > MAX_RASTER_BYTES:
        raise ImageRejected(f"images may be at most {MAX_RASTER_BYTES // (1024 * 1024)} MB")
    found = sniff(data)
    if found != expected:
        shown = found.split("/")[1].upper() if found else "not a PNG, JPEG or WebP image"
        raise ImageRejected(f"the file name says {suffix}, but the content is {shown}")
    _check_decodes(data)
    return Image(data, expected)


def sniff(data: bytes) -> str | None:
    """The raster type from the file's first bytes, whatever its name claims."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_decodes(data: bytes) -> None:
    from PIL import Image as PILImage

    too_many = ImageRejected("the image has too many pixels (at most 40 megapixels)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise too_many
                img.verify()  # PNG: every chunk's checksum; JPEG: nothing, hence below
            if data.startswith(b"\xff\xd8"):
                with PILImage.open(io.BytesIO(data)) as img:
                    img.draft("RGB", (img.width // 8 or 1, img.height // 8 or 1))  # fast, small
                    img.load()
    except ImageRejected:
        raise
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as err:
        raise too_many from err  # Pillow's own limit is checked on open, before ours
    except Exception as err:  # Pillow raises many types for broken files
        raise ImageRejected("the image is damaged or truncated and cannot be shown") from err


def sanitise_svg(data: bytes) -> bytes:
    """Keep drawing elements and presentation attributes; drop scripts, events, outside links."""
    # A DOCTYPE (drawing programs write one) is parsed and dropped; entities are refused.
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except EntitiesForbidden as err:
        raise ImageRejected("SVG files may not declare entities (<!ENTITY …>)") from err
    except (ET.ParseError, DefusedXmlException, ValueError) as err:
        raise ImageRejected(f"the SVG is not well-formed XML ({err})") from err
    if _local(root.tag) != "svg":
        raise ImageRejected("an SVG file must have <svg> as its root element")
    _clean(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) not in SVG_ELEMENTS:
            element.remove(child)
            continue
        if child.tag.startswith("{") and not child.tag.startswith("{" + SVG_NS):
            element.remove(child)
            continue
        _clean(child)
    for key in list(element.attrib):
        name, value = _local(key), element.attrib[key]
        if (
            name.startswith("on")
            or (name == "href" and not value.startswith("#"))
            or UNSAFE_VALUE.search(value)
        ):
            del element.attrib[key]
