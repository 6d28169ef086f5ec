"""Markdown to safe HTML, done once at sync: Python-Markdown, then nh3, then trusted embeds."""

import html
import re
import threading
from collections import Counter
from html.parser import HTMLParser

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "code": {"class"},
    "th": {"align", "scope", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
ALLOWED_CLASSES = re.compile(
    r"^(admonition|admonition-title|note|tip|warning|important|language-[\w-]+)$"
)

YOUTUBE = re.compile(
    r"^https?://(?:www\.)?(?:youtube\.com/watch\?v=|youtu\.be/|youtube\.com/embed/)"
    r"([A-Za-z0-9_-]{11})(?:[&?#][^\s]*)?$"
)
VIMEO = re.compile(r"^https?://(?:www\.)?vimeo\.com/(\d{4,12})(?:[?#][^\s]*)?$")
VIDEO_MARKER = "SMRVIDEO-{provider}-{ident}-END"
VIDEO_PARAGRAPH = re.compile(r"<p>SMRVIDEO-(youtube|vimeo)-([A-Za-z0-9_-]+)-END</p>")
# Bump when the HTML this module produces changes, so sync re-renders stored versions.
RENDERER_VERSION = 5
# Elements whose content a browser's parser (and nh3's) reads as raw text up to their own end
# tag: one left open turns all that follows into its content, which the sanitiser then drops.
RAW_TEXT_TAGS = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                 "noscript", "plaintext")  # fmt: skip
_RAW_OPEN = re.compile(r"<(" + "|".join(RAW_TEXT_TAGS) + r")(?=[\s/>])[^>]*>", re.I)
MAX_REPAIRS = 20  # raw-text elements left open that one text may have repaired
_parsers = threading.local()
EXTENSIONS = ["tables", "fenced_code", "toc", "admonition", "sane_lists", "smarty"]


def _mark_videos(text: str) -> str:
    """A bare video URL on its own line becomes a token that survives sanitising."""
    out = []
    in_fence = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence  # a URL shown inside a code block stays as written
        elif in_fence:
            pass
        elif m := YOUTUBE.match(stripped):
            line = "\n" + VIDEO_MARKER.format(provider="youtube", ident=m.group(1)) + "\n"
        elif m := VIMEO.match(stripped):
            line = "\n" + VIDEO_MARKER.format(provider="vimeo", ident=m.group(1)) + "\n"
        out.append(line)
    return "\n".join(out)


def _video_embed(match: re.Match) -> str:
    """Privacy-friendly: nothing loads from the provider until the learner opens the player."""
    provider, ident = match.group(1), match.group(2)
    if provider == "youtube":
        src = f"https://www.youtube-nocookie.com/embed/{ident}"
        link = f"https://www.youtube.com/watch?v={ident}"
        name = "YouTube"
    else:
        src = f"https://player.vimeo.com/video/{ident}?dnt=1"
        link = f"https://vimeo.com/{ident}"
        name = "Vimeo"
    return (
        '<figure class="video"><details><summary>Play the video '
        f"(loads the player from {name})</summary>"
        f'<div class="video-frame"><iframe src="{html.escape(src)}" title="Video from {name}" '
        'loading="lazy" allow="encrypted-media; picture-in-picture" allowfullscreen '
        'referrerpolicy="strict-origin-when-cross-origin"></iframe></div></details>'
        f'<figcaption><a href="{html.escape(link)}">Watch on {name}</a></figcaption></figure>'
    )


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Only our own class names survive; everything else an author typed is dropped."""
    if attr == "class":
        kept = [c for c in value.split() if ALLOWED_CLASSES.match(c)]
        return " ".join(kept) or None
    return value


def sanitize(raw_html: str) -> str:
    """Strip anything that could run script or load content we did not choose."""
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def _unsanitised(text: str) -> str:
    """Markdown to HTML before sanitising; one parser per thread, reset between texts."""
    md = getattr(_parsers, "md", None)
    if md is None:
        md = _parsers.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs={"toc": {"toc_depth": "2-4"}}
        )
    return md.reset().convert(_mark_videos(text))


def _raw_text_scan(html_text: str) -> tuple[int, int | None]:
    """How many raw-text start tags HTML has, and the ordinal of the first one left open (as a
    browser's parser reads it: inside one, only its own end tag counts)."""
    starts = list(_RAW_OPEN.finditer(html_text))
    pos = 0
    for ordinal, match in enumerate(starts):
        if match.start() < pos:
            continue
        tag = match[1].lower()
        close = re.compile(rf"</{tag}(?:[\s/][^>]*)?>", re.I).search(html_text, match.end())
        if tag == "plaintext" or close is None:
            return len(starts), ordinal
        pos = close.end()
    return len(starts), None


def unclosed_raw_text(text: str) -> tuple[str, list[tuple[str, int]]]:
    """Markdown with each raw-text tag its author left open shown as text (`&lt;style>`), and
    those tags as (tag, line in the text); unchanged when there are none.

    Which `<style>` of the source is the open one is decided by Python-Markdown itself: a
    candidate shown as text that removes a start tag from the HTML was real HTML, not code.
    """
    found: list[tuple[str, int]] = []
    if not _RAW_OPEN.search(text):
        return text, found
    count, open_at = _raw_text_scan(_unsanitised(text))
    while open_at is not None and len(found) < MAX_REPAIRS:
        real = -1
        for match in _RAW_OPEN.finditer(text):
            tried = text[: match.start()] + "&lt;" + text[match.start() + 1 :]
            tried_count, tried_open = _raw_text_scan(_unsanitised(tried))
            if tried_count == count:
                continue  # in code: Markdown already shows it as text
            real += 1
            if real == open_at:
                found.append((match[1].lower(), text.count("\n", 0, match.start()) + 1))
                text, count, open_at = tried, tried_count, tried_open
                break
        else:
            break  # not in the source (an extension made it): leave it to the sanitiser
    return text, found


def render_markdown(text: str, image_base: str = "") -> str:
    """Lesson Markdown to sanitised HTML; relative image paths are prefixed with image_base."""
    raw = _unsanitised(text)
    if _raw_text_scan(raw)[1] is not None:  # a `<style>` left open would hide all after it
        raw = _unsanitised(unclosed_raw_text(text)[0])
    if image_base:
        raw = re.sub(
            r'(<img [^>]*src=")(?![a-z]+:|/)([^"]+)"',
            lambda m: f'{m.group(1)}{image_base.rstrip("/")}/{m.group(2)}"',
            raw,
        )
    safe = VIDEO_PARAGRAPH.sub(_video_embed, sanitize(raw))
    return _scrollable_tables(safe)


def _scrollable_tables(safe_html: str) -> str:
    """Wide tables scroll sideways on phones; the scroller must be reachable by keyboard."""
    return safe_html.replace(
        "<table>", '<div class="table-scroll" role="region" tabindex="0" aria-label="Table"><table>'
    ).replace("</table>", "</table></div>")


def _inline_source(text: str) -> str:
    """A fragment is one line of prose: a leading `#` is a hashtag, never a heading."""
    return "\\" + text if text.startswith("#") else text


def render_inline(text: str) -> str:
    """A short Markdown fragment (a choice, feedback) without its surrounding paragraph."""
    rendered = render_markdown(_inline_source(text))
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


class _Inventory(HTMLParser):
    """The elements, attributes and visible text of an HTML fragment, to compare two of them."""

    def __init__(self, html_text: str):
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.attributes: Counter = Counter()
        self.words: list[str] = []
        self.feed(html_text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes.update((tag, name) for name, _ in attrs)

    def handle_data(self, data):
        self.words.extend(data.split())


def sanitiser_losses(text: str, inline: bool = True) -> tuple[list[str], bool]:
    """What the sanitiser would silently drop from this Markdown, in words for its author,
    and whether nothing a learner could see (text, image, video) would be left."""
    raw = _unsanitised(_inline_source(text) if inline else text)
    before, after = _Inventory(raw), _Inventory(sanitize(raw))
    lost_tags = before.tags - after.tags
    losses = [f"the <{tag}> tag" for tag in sorted(lost_tags)]
    for tag, name in sorted(before.attributes - after.attributes):
        if tag not in lost_tags:
            losses.append(f"the {name} attribute of <{tag}>")
    if before.words != after.words:
        losses.append("some of its text")
    empty = not after.words and not after.tags["img"]
    return losses, empty
