"""A `<style>` (or `<script>`, `<textarea>`…) left open in a lesson: validation names its
file:line, and the rendered lesson keeps everything after it instead of losing it."""

from smresidency.catalog.loader import load_content
from smresidency.catalog.render import render_markdown

LESSON = """## Before

Intro text.

<style>
.note { color: red }

## After the style

More text with **bold** words.
"""


def _line_of(path, text: str) -> int:
    return path.read_text().split("\n").index(text) + 1


def test_validate_names_the_file_and_line_of_an_unclosed_style(runner, write_course):
    root = write_course(modules={"01-a": {"body": LESSON}})
    path = root / "test-course" / "modules" / "01-a.md"
    result = runner.invoke(args=["content", "validate", str(root)])
    assert result.exit_code == 1
    line = _line_of(path, "<style>")
    assert f"{path}:{line}: `<style>` is never closed with `</style>`" in result.output


def test_each_unclosed_tag_is_reported_once_at_its_line(write_course):
    body = "Text.\n\n<script>\nalert(1)\n\nMiddle.\n\nThen <textarea> inline.\n\n## End\n"
    root = write_course(modules={"01-a": {"body": body}})
    path = root / "test-course" / "modules" / "01-a.md"
    _, problems = load_content(root)
    found = [(p.line, p.message.split(" is never")[0]) for p in problems]
    assert found == [
        (_line_of(path, "<script>"), "`<script>`"),
        (_line_of(path, "Then <textarea> inline."), "`<textarea>`"),
    ]


def test_tags_in_code_and_closed_ones_are_not_reported(write_course):
    body = (
        "Write `<style>` in the page's head.\n\n```html\n<style>\n```\n\n"
        "<style>.a { color: red }</style>\n\n    <script>\n\nDone.\n"
    )
    root = write_course(modules={"01-a": {"body": body}})
    _, problems = load_content(root)
    assert [p for p in problems if "never closed" in p.message] == []


def test_the_rest_of_the_lesson_survives_an_unclosed_style():
    html = render_markdown(LESSON)
    assert '<h2 id="after-the-style">After the style</h2>' in html
    assert "<strong>bold</strong>" in html
    assert "<style" not in html  # shown as text, never as an element
    assert "&lt;style&gt;" in html


def test_an_unclosed_script_is_text_and_the_rest_stays():
    html = render_markdown("Hi.\n\n<script>alert(1)\n\n## Next\n\nBye.\n")
    assert "<script" not in html and "Bye." in html and '<h2 id="next">' in html


def test_closed_style_and_script_are_still_dropped_with_their_content():
    html = render_markdown("A.\n\n<style>.x{}</style>\n\n<script>alert(1)</script>\n\nB.\n")
    assert "<p>A.</p>" in html and "<p>B.</p>" in html
    assert ".x{}" not in html and "alert" not in html
