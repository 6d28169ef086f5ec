"""GIFT text: escapes, format markers and basic HTML (Moodle's default) turned into Markdown."""

import re
from html.parser import HTMLParser

from smresidency.catalog.problems import Reporter
from smresidency.catalog.quiz import CHOICE

# `\X` becomes two private-use characters, so offsets (and so line numbers) do not move.
_FILLER = "\ue000"
_ESCAPES = {c: chr(0xE001 + i) for i, c in enumerate("~=#{}:\\n")}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()} | {_FILLER: ""}
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
HTML_HINT = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
INLINE_MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "tt": "`"}
BLOCK_TAGS = {
    "p", "div", "ul", "ol", "blockquote", "pre", "table", "tr", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
LINK_SCHEMES = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


class HtmlToMarkdown(HTMLParser):
    """Basic HTML to Markdown: emphasis, code, links and line breaks; other tags go."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[tuple[str, int, str]] = []
        self.hidden = 0
        self.dropped: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "br" or tag in BLOCK_TAGS:
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "td" or tag == "th":
            self.out.append(" ")
        elif tag == "img":
            self.dropped.append("image")
            if attrs.get("alt"):
                self.out.append(attrs["alt"])
        elif tag in INLINE_MARKS or tag == "a":
            self.open.append((tag, len(self.out), attrs.get("href") or ""))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(self.hidden - 1, 0)
        elif tag in BLOCK_TAGS or tag == "li":
            self.out.append("\n")
        else:
            for k in range(len(self.open) - 1, -1, -1):
                if self.open[k][0] == tag:
                    _, start, href = self.open[k]
                    del self.open[k:]
                    inner = "".join(self.out[start:])
                    del self.out[start:]
                    self.out.append(_wrap(tag, inner, href))
                    break

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(data)

    def result(self) -> str:
        return "".join(self.out).replace("\xa0", " ")


def _wrap(tag: str, inner: str, href: str) -> str:
    core = inner.strip()
    if not core or "\n" in core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    if tag == "a":
        if not LINK_SCHEMES.match(href):
            return inner
        return f"{lead}[{core}]({href}){trail}"
    mark = INLINE_MARKS[tag]
    return f"{lead}{mark}{core}{mark}{trail}"


def _normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _pad(text: str, side: str) -> str:
    """A space between the blank and a word next to it, as the author's text had a gap."""
    if side == "end":
        return text + " " if text.strip() and text[-1].isalnum() else text
    return " " + text if text.strip() and text[0].isalnum() else text


def _split_format(raw: str, default: str | None = None) -> tuple[str | None, str]:
    stripped = raw.lstrip()
    m = FORMAT.match(stripped)
    if m:
        return m.group(1).lower(), stripped[m.end() :]
    return default, raw


def _text_lines(raw: str, fmt: str | None) -> tuple[list[str], list[str]]:
    """GIFT text as Markdown lines (explicit breaks only), and what had to be dropped."""
    fmt, raw = _split_format(raw, fmt)
    text = " ".join(raw.split())
    dropped: list[str] = []
    if fmt in (None, "html", "moodle") and HTML_HINT.search(text):
        converter = HtmlToMarkdown()
        converter.feed(text)
        converter.close()
        text, dropped = converter.result(), converter.dropped
    lines = (" ".join(line.split()) for line in _restore(text).split("\n"))
    return [line for line in lines if line], dropped


def _flat(raw: str, fmt: str | None) -> str:
    return " ".join(_text_lines(raw, fmt)[0])


def _note_dropped(dropped: list[str], line: int, note: Reporter) -> None:
    if "image" in dropped:
        note(line, "an image was dropped: GIFT images point into Moodle's file store")


def _safe_detail(line: str) -> str:
    """Scenario lines must not look like our quiz syntax (`#`, `>`, `=`, `- [x]`)."""
    if line.startswith(("#", ">")) or CHOICE.match(line):
        return "\\" + line
    if line.startswith("="):
        return "&#61;" + line[1:]
    return line


# --- answers ------------------------------------------------------------------------------


def protect_escapes(text: str) -> str:
    """Hide `\\X` escapes behind private-use characters until the text is emitted."""
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)] + _FILLER, _normalise(text))
