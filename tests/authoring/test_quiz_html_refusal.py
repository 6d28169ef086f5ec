"""Issue 12.1 in the studio: the preview and Publish refuse a quiz text the sanitiser would
strip, with its file:line, because they use the same loader as `flask content validate`."""

import re

from sqlalchemy import func, select

from smresidency.catalog.models import Module, ModuleVersion
from tests.authoring.conftest import COURSE, textarea

EDIT = f"/studio/{COURSE}/modules/facebook"
META = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
TAIL = f"\n### Where does this quiz send you?\n- [x] {META}\n  > Somewhere else.\n- [ ] Nowhere\n"
MESSAGE = "the choice is empty once sanitised (it loses the &lt;meta&gt; tag)"


def box_line(body: str) -> int:
    """The line of the <meta> choice inside the editor's lesson-and-quiz box."""
    return next(n for n, line in enumerate(body.split("\n"), start=1) if "evil.example" in line)


def test_preview_lists_the_stripped_choice_with_its_line(
    client, login_as, synced_course, editor_form
):
    login_as("instructor")
    data = editor_form("modules", "facebook")
    data["body"] += TAIL
    fragment = client.post(EDIT + "/preview", data=data).get_data(as_text=True)
    problem = re.search(r"<code>modules/03-facebook\.md:(\d+)</code>: (.*?)</li>", fragment, re.S)
    assert problem, fragment
    assert MESSAGE in problem.group(2)
    assert f"(line {box_line(data['body'])} of the lesson and quiz box)" in problem.group(2)
    assert "<meta http-equiv" not in fragment  # the preview itself shows nothing raw


def test_publish_refuses_it_and_learners_keep_the_published_version(
    client, login_as, synced_course, editor_form, db
):
    login_as("instructor")
    data = editor_form("modules", "facebook", publish="Publish")
    data["body"] += TAIL
    response = client.post(EDIT, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not published" in page and MESSAGE in page
    assert "Where does this quiz send you?" in textarea(page, "body")  # the text is kept
    versions = db.session.scalar(
        select(func.count())
        .select_from(ModuleVersion)
        .join(Module)
        .where(Module.slug == "03-facebook")
    )
    assert versions == 1
