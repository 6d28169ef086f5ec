"""A course or module title holding a hidden control character is a validation problem."""

from smresidency.catalog.loader import load_content


def test_titles_with_hidden_characters_are_reported_with_their_line(write_course):
    root = write_course(modules={"01-first": {"title": '"Safe \\u202eSTOP"'}, "02-second": {}})
    course_md = root / "test-course" / "course.md"
    course_md.write_text(
        '---\ntitle: "Residency\\u2028Part two"\nhours: 2\norganisation: "Ward\\t7"\n---\nText.\n'
    )
    _, problems = load_content(root)
    found = {(p.path.rsplit("/", 1)[-1], p.line, p.message.split(":")[0]) for p in problems}
    assert found == {
        ("course.md", 2, "`title`"),
        ("course.md", 4, "`organisation`"),
        ("01-first.md", 2, "`title`"),
    }
    messages = " ".join(p.message for p in problems)
    assert "U+202E (right-to-left override)" in messages
    assert "U+2028 (line separator)" in messages and "U+0009 (tab)" in messages


def test_ordinary_titles_in_any_script_are_fine(write_course):
    root = write_course(modules={"01-first": {"title": "Ελληνικά και Café & compliance"}})
    _, problems = load_content(root)
    assert problems == []
