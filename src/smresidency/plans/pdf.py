"""A plan as a PDF, in DejaVu Sans so that Greek, Cyrillic and accented names print correctly."""

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Response
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from smresidency.plans.models import PlanVersion
from smresidency.plans.queries import PlanPage
from smresidency.text import printable

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "DejaVu"
# control characters other than newline have no glyph and would print as boxes
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    return printable(_CONTROL.sub("", (text or "").replace("\t", "    ")), multiline=True)


class _PlanPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)

    def footer(self):
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90)
        self.cell(0, 6, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.55, _clean(text), align="L", new_x=XPos.LMARGIN)
        self.ln(1.5)

    def para(self, text: str, size: float = 10.5, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, _clean(text), align="L", new_x=XPos.LMARGIN)

    def fact(self, label: str, value: str) -> None:
        self.set_font(FAMILY, "B", 10.5)
        self.cell(32, 6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.para(value)


def plan_pdf(page: PlanPage, version: PlanVersion | None) -> bytes:
    """The plan's sections in one version, with its facts and the latest review of it."""
    spec = page.spec
    title = spec.get("title") or "Strategy plan"
    name, title = printable(page.learner.name), printable(title)
    doc = _PlanPDF(f"{name} · {title}")
    doc.set_title(f"{title}: {name}")
    doc.set_author(name)
    doc.set_creator("smresidency")
    doc.add_page()
    doc.heading(title, 18)
    doc.fact("Learner", page.learner.name)
    doc.fact("Cohort", page.cohort.name)
    doc.fact("Course", page.course.title)
    if version is None:
        doc.fact("Version", "nothing written yet")
    else:
        when = version.submitted_at or version.saved_at
        verb = "submitted" if version.submitted_at else "saved"
        doc.fact("Version", f"{version.number} ({verb} {when:%d %B %Y})")
    doc.fact("State", page.state_label)
    sections = version.sections if version else {}
    for s in spec.get("sections", []):
        doc.ln(4)
        doc.heading(s["title"], 13)
        text = (sections.get(s["id"]) or "").strip()
        doc.para(text or "(not written yet)")
    reviews = page.reviews_of(version)
    if reviews:
        _review_summary(doc, spec, reviews[-1])
    return bytes(doc.output())


def _review_summary(doc: _PlanPDF, spec: dict, view) -> None:
    review = view.review
    doc.ln(6)
    doc.heading("Faculty review", 14)
    doc.fact("Decision", review.decision.title())
    doc.fact("Reviewer", view.reviewer_name)
    doc.fact("Date", f"{review.created_at:%d %B %Y}")
    for criterion, level in view.rows(spec):
        doc.para(f"{criterion}: {level}")
    if review.comments:
        doc.ln(2)
        doc.para("Comments", bold=True)
        doc.para(review.comments)


def _slug(name: str, ascii_only: bool) -> str:
    text = unicodedata.normalize("NFKD" if ascii_only else "NFC", name).casefold()
    if ascii_only:
        text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^\w]+", "-", text).strip("-_")


def content_disposition(name: str) -> str:
    """attachment; filename="strategy-plan-<name>.pdf", plus the name in its own script."""
    plain = f"strategy-plan-{_slug(name, True) or 'learner'}.pdf"
    header = f'attachment; filename="{plain}"'
    full = f"strategy-plan-{_slug(name, False) or 'learner'}.pdf"
    if full != plain:
        header += f"; filename*=UTF-8''{quote(full)}"
    return header


def pdf_response(page: PlanPage, version: PlanVersion | None) -> Response:
    """A download of the plan; private, so never stored by shared caches."""
    return Response(
        plan_pdf(page, version),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": content_disposition(page.learner.name),
            "Cache-Control": "private, no-store",
        },
    )
