"""The certificate as a landscape PDF (A4 or US Letter) with a QR code to its verification page.

Fonts are DejaVu Sans cut down at build time to Latin, Greek, Cyrillic and punctuation
(scripts/subset_fonts.py), so names in those scripts print as written; a name beyond them
gets the full fonts as fallback. Each face is parsed once per process; every PDF gets its
own copy of the parsed metrics and a fresh font object for embedding, because fpdf2 cuts
the embedded font down to the PDF's glyphs in place.

Only job workers and the CLI import this module (certificates.stored makes and keeps the
PDFs); web workers serve the stored bytes without loading fpdf2.
"""

import copy
import functools
import io
import logging
import threading
from collections import defaultdict
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from smresidency.text import printable

FONTS = Path(__file__).resolve().parents[1] / "fonts"
FACES = {"": "DejaVuSans.subset.ttf", "B": "DejaVuSans-Bold.subset.ttf"}
FAMILY = "dejavu"
# the full fonts, added only for a name with a letter beyond the cut-down ones (e.g. Armenian)
FULL_FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FULL_FAMILY = "dejavufull"
PAPER = {"a4": "A4", "letter": "Letter"}

_parsed: dict[str, tuple[TTFFont, bytes]] = {}
_parse_lock = threading.Lock()


def parsed_face(file: str, style: str) -> tuple[TTFFont, bytes]:
    """A font file's parsed metrics and its bytes, made on first use in this process."""
    with _parse_lock:
        if file not in _parsed:
            path = FONTS / file
            _parsed[file] = (TTFFont(FPDF(), path, file, style), path.read_bytes())
    return _parsed[file]


@functools.lru_cache(maxsize=16)
def _qr_png(url: str) -> bytes:
    """The QR code of a verification address; the A4 and Letter PDFs share one."""
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=6, border=2)
    return png.getvalue()


def _add_faces(pdf: FPDF, family: str, faces: dict[str, str]) -> None:
    """Give this PDF a family's faces without parsing them again (what add_font would do)."""
    for style, file in faces.items():
        parsed, data = parsed_face(file, style)
        font = copy.copy(parsed)  # shares cmap, glyph ids and descriptor, which stay unchanged
        font.i = len(pdf.fonts) + 1
        font.fontkey = family + style
        # lazy: only the table directory is read here; the outlines keep their boxes as made
        font.ttfont = TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False, lazy=True)
        font.cw = defaultdict(parsed.cw.default_factory, parsed.cw)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[family + style] = font


def _beyond_subset(*texts: str) -> bool:
    """Whether any of these texts has a letter the cut-down fonts lack."""
    maps = [parsed_face(file, style)[0].cmap for style, file in FACES.items()]
    return any(ord(char) not in cmap for text in texts for char in text for cmap in maps)


def certificate_pdf(cert, verify_url: str, paper: str = "a4", signer=None) -> bytes:
    """PDF bytes of one certificate; signer (admin.settings.Signer) names who signs it."""
    pdf = FPDF(orientation="landscape", unit="mm", format=PAPER[paper])
    pdf.set_auto_page_break(False)
    name, title = printable(cert.recipient_name), printable(cert.course_title)
    pdf.set_title(f"{title} certificate, {name}")
    pdf.set_author(cert.organisation or "smresidency")
    _add_faces(pdf, FAMILY, FACES)
    signed = (signer.name, signer.title) if signer is not None else ()
    # the CE/CPD accreditation statement (certificates/ce.py), printed under the dates
    accreditation = printable(getattr(cert, "accreditation", "") or "")
    texts = (name, title, cert.organisation or "", cert.place or "", accreditation)
    if _beyond_subset(*texts, *signed):
        _add_faces(pdf, FULL_FAMILY, FULL_FACES)
        pdf.set_fallback_fonts([FULL_FAMILY])
    pdf.add_page()
    width, height = pdf.w, pdf.h
    pdf.set_draw_color(11, 92, 171)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)

    def line(text: str, size: float, style: str = "", gap: float = 4) -> None:
        pdf.set_font(FAMILY, style, size)
        pdf.set_x(20)
        pdf.multi_cell(width - 40, size * 0.5, text, align="C")
        pdf.ln(gap)

    pdf.set_y(28)
    line(cert.organisation or "", 14, gap=8)
    line("Certificate of completion", 28, "B", 10)
    line("This certifies that", 13)
    line(name, 30, "B", 8)
    line(f"has completed the {title}", 15, gap=3)
    place = f" at {printable(cert.place)}" if cert.place else ""
    line(
        f"{cert.hours:g} hours, including the immersion day on "
        f"{cert.immersion_date:%d %B %Y}{place}.",
        12,
        gap=3,
    )
    issued = f"Issued {cert.issued_at:%d %B %Y}"
    if cert.expires_at is not None:
        issued += f" · valid until {cert.expires_at:%d %B %Y}"
    if cert.revoked_at is not None:
        issued += f" · revoked {cert.revoked_at:%d %B %Y}"
    line(issued, 11, gap=2)
    if accreditation:
        line(accreditation, 9, gap=2)

    qr = io.BytesIO(_qr_png(verify_url))
    size = 38
    pdf.image(qr, x=width - 20 - size, y=height - 20 - size - 4, w=size, h=size)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_xy(20, height - 42)
    pdf.multi_cell(
        width - 40 - size - 10,
        5,
        f"Certificate {cert.serial}\nVerification code {cert.display_code}\n{verify_url}",
    )
    if signer is None:
        pdf.set_xy(20, height - 26)
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(0, 5, "Programme director, on behalf of the faculty")
    else:
        _signature(pdf, signer, width, height)
    try:
        return bytes(pdf.output())
    finally:
        _forget_glyph_lookups()


def _signature(pdf: FPDF, signer, width: float, height: float) -> None:
    """The signature image (when there is one) over the signer's name and title, centred."""
    if signer.image:
        try:
            pdf.image(
                io.BytesIO(signer.image),
                x=width / 2 - 25,
                y=height - 58,
                w=50,
                h=11,
                keep_aspect_ratio=True,
            )
        except Exception:  # an image fpdf cannot draw leaves the printed name alone
            logging.getLogger(__name__).warning("signature image not drawn", exc_info=True)
    signed = printable(signer.name) + (f", {printable(signer.title)}" if signer.title else "")
    pdf.set_xy(20, height - 46)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(width - 40, 5, signed, align="C")


def _forget_glyph_lookups() -> None:
    """fpdf2 memoises glyph lookups in caches that hold every PDF's fonts; empty them."""
    for name in ("pick", "get_glyph"):
        clear = getattr(getattr(SubsetMap, name, None), "cache_clear", None)
        if clear is not None:
            clear()
