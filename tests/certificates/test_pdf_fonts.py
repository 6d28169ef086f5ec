"""The certificate's fonts: cut down by the script in the repository (and still what it
makes), parsed once per process, and printing Latin, Greek and Cyrillic names as written."""

import importlib.util
import io
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from fpdf.fonts import TTFFont
from pypdf import PdfReader

from smresidency.certificates import pdf

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "subset_fonts.py"


def subset_script():
    spec = importlib.util.spec_from_file_location("subset_fonts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def certificate(name: str, serial: str = "SMR-2026-000001"):
    """The fields certificate_pdf prints, without a database."""
    return SimpleNamespace(
        recipient_name=name,
        course_title="Social Media Residency",
        organisation="Test Hospital",
        hours=12.0,
        immersion_date=date(2026, 3, 4),
        place="Room 3",
        issued_at=datetime(2026, 3, 5, tzinfo=UTC),
        expires_at=None,
        revoked_at=None,
        serial=serial,
        display_code="ABCD-EFGH-IJKL-MNOP",
    )


def test_the_committed_subset_fonts_are_what_the_script_makes():
    assert subset_script().check() == []


def test_the_certificate_loads_the_subset_fonts_not_the_full_ones():
    for name in pdf.FACES.values():
        path = pdf.FONTS / name
        assert path.exists()
        assert path.stat().st_size < (pdf.FONTS / name.replace(".subset", "")).stat().st_size / 3


@pytest.mark.parametrize(
    "name",
    [
        "Ελένη Παπαδοπούλου",
        "Олена Коваленко",
        "Łukasz Żółć",
        "Nguyễn Thị Ánh",
        "Zoë O\u2019Brien-Søren",
    ],
)
def test_names_in_latin_greek_and_cyrillic_print_as_written(name):
    body = pdf.certificate_pdf(certificate(name), "https://example.org/verify/ABCD")
    page = PdfReader(io.BytesIO(body)).pages[0]
    assert name in page.extract_text()


def test_a_name_beyond_the_cut_down_fonts_prints_from_the_full_ones():
    name = "Արամ Խաչատրյան ნინო"  # Armenian and Georgian: not in the subset, in DejaVu Sans
    body = pdf.certificate_pdf(certificate(name), "https://example.org/verify/ABCD")
    reader = PdfReader(io.BytesIO(body))
    assert name in reader.pages[0].extract_text()
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 3  # a full face was embedded beside the two cut-down ones


def test_fonts_are_parsed_once_for_many_pdfs(monkeypatch):
    parses = []
    original = TTFFont.__init__

    def counting(self, *args, **kwargs):
        parses.append(args[1])
        original(self, *args, **kwargs)

    monkeypatch.setattr(TTFFont, "__init__", counting)
    monkeypatch.setattr(pdf, "_parsed", {})  # as in a new process
    bodies = [
        pdf.certificate_pdf(certificate(name, f"SMR-2026-00000{i}"), "https://e.org/v", paper)
        for i, (name, paper) in enumerate(
            [("Ελένη", "a4"), ("Олена", "letter"), ("Zoë", "a4"), ("Łukasz", "letter")]
        )
    ]
    assert sorted(Path(p).name for p in parses) == sorted(pdf.FACES.values())  # once each
    texts = [PdfReader(io.BytesIO(body)).pages[0].extract_text() for body in bodies]
    assert [t.split("This certifies that")[1].split()[0] for t in texts] == [
        "Ελένη",
        "Олена",
        "Zoë",
        "Łukasz",
    ]
