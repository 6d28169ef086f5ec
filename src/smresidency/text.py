"""Names, titles and links that read as what is stored: no control or bidi characters.

A name is printed on certificates, signed into credentials, written to CSV cells and mail.
A line break there starts a fake line ("Bcc: …"); a right-to-left override makes a link read
differently from where it goes. Forms refuse these characters with a field error;
`printable()` strips them again at every place a name is printed, for rows written earlier.
"""

import unicodedata

from wtforms.validators import ValidationError

# Cf characters that reorder text: LRM, RLM, ALM, embeddings, overrides, isolates, pops.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Characters that end a line (str.splitlines); a line break is read as a space, not removed.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_LABELS = {"\t": "tab", "\n": "line break", "\r": "carriage return", "\x00": "null"}


def is_unsafe(char: str) -> bool:
    """A control character (Cc), a line/paragraph separator (Zl, Zp) or a bidi control."""
    return char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def describe(char: str) -> str:
    """U+202E (right-to-left override): people can look the code up, and see what it is."""
    label = _LABELS.get(char) or unicodedata.name(char, "control character").lower()
    return f"U+{ord(char):04X} ({label})"


def unsafe_characters(text: str | None) -> list[str]:
    """Each distinct unsafe character of the text, described, in the order they occur."""
    found = dict.fromkeys(c for c in text or "" if is_unsafe(c))
    return [describe(c) for c in found]


def refusal(found: list[str]) -> str:
    """The field error for text holding unsafe characters."""
    many = len(found) > 1
    return (
        f"Remove the hidden control character{'s' if many else ''} {', '.join(found)}: "
        f"{'they change' if many else 'it changes'} how the text reads where it is printed."
    )


def clean_name(value):
    """NFC and no surrounding spaces: one stored form for a name however it was typed."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


def clean_link(value):
    """Links are only trimmed: normalising could change where they go."""
    return value.strip() if isinstance(value, str) else value


def printable(text: str | None, multiline: bool = False) -> str:
    """Text safe to print (PDF, credential, CSV, mail): line breaks become spaces, controls go.

    With `multiline` (a mail body) line breaks stay as "\\n" and tabs stay; everything else
    is removed just the same. Text without such characters is returned unchanged (but NFC).
    """
    text = unicodedata.normalize("NFC", text or "")
    if multiline:
        text = text.replace("\r\n", "\n")
    out = []
    for char in text:
        if multiline and char in "\n\t":
            out.append(char)
        elif char in LINE_BREAKS or char == "\t":
            if out and out[-1] != " ":
                out.append(" ")
        elif not is_unsafe(char):
            out.append(char)
    result = "".join(out)
    return result if multiline else result.strip()


class NoControlCharacters:
    """WTForms validator: refuse control and bidi characters, naming each one."""

    def __call__(self, form, field):
        found = unsafe_characters(field.data if isinstance(field.data, str) else "")
        if found:
            raise ValidationError(refusal(found))
