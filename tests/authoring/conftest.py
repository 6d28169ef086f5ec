"""Helpers for studio tests: read an editor's form, post it back with changes."""

import re

import pytest

from smresidency.authoring.documents import load_doc, text_hash
from smresidency.authoring.frontmatter import split_module
from smresidency.catalog.queries import course_by_slug

COURSE = "social-media-residency"


@pytest.fixture
def editor_form(app):
    """editor_form("modules", "facebook", **changes) -> the form data an editor would post."""

    def build(kind: str, key: str, course: str = COURSE, **changes) -> dict:
        with app.app_context():
            doc = load_doc(course_by_slug(course), kind, key)
            data = {
                "opened": text_hash(doc.text),
            }
            if kind == "pages":
                data["text"] = doc.text
            else:
                fields, _ = split_module(doc.text)
                data.update(
                    title=fields.title,
                    minutes=str(fields.minutes),
                    objectives="\n".join(fields.objectives),
                    requires=fields.requires,
                    body=fields.body,
                )
        data.update(changes)
        return data

    return build


def textarea(html: str, name: str) -> str:
    """The text of a textarea in a page (unescaped enough for assertions)."""
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return match.group(1) if match else ""
