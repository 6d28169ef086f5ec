"""Make the certificate's fonts: DejaVu Sans cut down to the scripts names are written in.

Run from the repository root after changing a source font or the ranges below:

    .venv/bin/python scripts/subset_fonts.py          # writes the *.subset.ttf and subset.json
    .venv/bin/python scripts/subset_fonts.py --check  # exit 1 when the committed files differ

The full fonts take most of a certificate's generation time to parse; the cut-down ones keep
every letter a Latin, Greek or Cyrillic name can hold, and the punctuation the text uses.
fontTools comes with fpdf2, so the script needs nothing beyond the app's own dependencies.
The output is byte-for-byte reproducible for a given fontTools version; subset.json records
that version, the source hashes and the output hashes, so a check under another fontTools
version still proves the committed files come from these sources and cover these ranges.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

FONTS = Path(__file__).resolve().parents[1] / "src" / "smresidency" / "fonts"
SOURCES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
MANIFEST = FONTS / "subset.json"

# (first, last, name) inclusive; only code points the source font has are kept
RANGES = (
    (0x0020, 0x007E, "Basic Latin"),
    (0x00A0, 0x00FF, "Latin-1 Supplement"),
    (0x0100, 0x017F, "Latin Extended-A"),
    (0x0180, 0x024F, "Latin Extended-B"),
    (0x02B0, 0x02FF, "Spacing Modifier Letters"),
    (0x0300, 0x036F, "Combining Diacritical Marks"),
    (0x0370, 0x03FF, "Greek and Coptic"),
    (0x0400, 0x04FF, "Cyrillic"),
    (0x0500, 0x052F, "Cyrillic Supplement"),
    (0x1E00, 0x1EFF, "Latin Extended Additional"),
    (0x1F00, 0x1FFF, "Greek Extended"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x20A0, 0x20CF, "Currency Symbols"),
    (0x2100, 0x214F, "Letterlike Symbols"),
    (0x2C60, 0x2C7F, "Latin Extended-C"),
    (0xA720, 0xA7FF, "Latin Extended-D"),
    (0xFFFD, 0xFFFD, "Replacement Character"),
)


def subset_name(source: str) -> str:
    """DejaVuSans.ttf -> DejaVuSans.subset.ttf (the name the app loads)."""
    return source.removesuffix(".ttf") + ".subset.ttf"


def wanted() -> set[int]:
    return {cp for first, last, _ in RANGES for cp in range(first, last + 1)}


def make(source: Path) -> bytes:
    """The subset font's bytes: outlines and metrics of the wanted characters, no hinting,
    no OpenType layout tables (fpdf2 drops those when it embeds a font anyway)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM"]
    options.name_IDs = ["*"]  # keep the copyright and licence strings
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.glyph_names = True
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted()))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def covered(data: bytes) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(io.BytesIO(data), lazy=True).getBestCmap())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(outputs: dict[str, bytes]) -> dict:
    import fontTools

    return {
        "script": "scripts/subset_fonts.py",
        "fonttools": fontTools.version,
        "ranges": [f"U+{a:04X}-U+{b:04X} {name}" for a, b, name in RANGES],
        "fonts": {
            subset_name(src): {
                "source": src,
                "source_sha256": sha256((FONTS / src).read_bytes()),
                "sha256": sha256(outputs[src]),
                "bytes": len(outputs[src]),
            }
            for src in SOURCES
        },
    }


def write() -> None:
    outputs = {src: make(FONTS / src) for src in SOURCES}
    for src, data in outputs.items():
        (FONTS / subset_name(src)).write_bytes(data)
    MANIFEST.write_text(json.dumps(manifest(outputs), indent=2) + "\n")
    for src, data in outputs.items():
        print(f"{subset_name(src)}: {len(data):,} bytes from {src}")


def check() -> list[str]:
    """What is wrong with the committed subset fonts; empty when they are what write() makes."""
    import fontTools

    problems = []
    try:
        recorded = json.loads(MANIFEST.read_text())
    except (OSError, ValueError) as err:
        return [f"{MANIFEST.name} cannot be read ({err}); run the script"]
    expected = manifest({src: b"" for src in SOURCES})
    if recorded.get("ranges") != expected["ranges"]:
        problems.append("the ranges changed since the fonts were made; run the script")
    same_tools = recorded.get("fonttools") == fontTools.version
    for src in SOURCES:
        name = subset_name(src)
        entry = recorded.get("fonts", {}).get(name, {})
        committed = FONTS / name
        if not committed.exists():
            problems.append(f"{name} is missing; run the script")
            continue
        data = committed.read_bytes()
        if entry.get("source_sha256") != expected["fonts"][name]["source_sha256"]:
            problems.append(f"{src} changed since {name} was made; run the script")
        if entry.get("sha256") != sha256(data):
            problems.append(f"{name} is not the file {MANIFEST.name} records")
        source_cmap = covered((FONTS / src).read_bytes())
        if covered(data) != source_cmap & wanted():
            problems.append(f"{name} does not cover exactly the wanted characters of {src}")
        if same_tools and make(FONTS / src) != data:
            problems.append(f"{name} differs from what this script makes now")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare the committed files; write nothing"
    )
    args = parser.parse_args(argv)
    if not args.check:
        write()
        return 0
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("subset fonts: up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
