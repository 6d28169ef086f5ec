"""Navigation: admins reach every admin page from the header; instructors reach item analysis."""

import re

import pytest

ADMIN_LINKS = ["/admin/", "/programme", "/admin/audit"]
HUB_LINKS = ["/admin/people", "/admin/people/new", "/admin/audit", "/admin/settings", "/programme"]


def header(html: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def test_admins_reach_admin_pages_programme_and_audit_from_the_header(client, login_as):
    login_as("admin")
    nav = header(client.get("/").get_data(as_text=True))
    for link in ADMIN_LINKS:
        assert f'href="{link}"' in nav
    hub = client.get("/admin/").get_data(as_text=True)
    for link in HUB_LINKS:
        assert f'href="{link}"' in hub


@pytest.mark.parametrize("role", ["learner", "coordinator", "instructor"])
def test_others_see_no_admin_links(client, login_as, role):
    login_as(role)
    nav = header(client.get("/").get_data(as_text=True))
    assert "/admin/" not in nav and "/programme" not in nav


def test_instructors_reach_item_analysis_from_module_page_and_studio(
    app, client, login_as, synced_course
):
    login_as("instructor")
    with app.test_request_context():
        from flask import url_for

        module = url_for(
            "learning.module", course_slug=synced_course, module_slug="01-why-social-media"
        )
        analysis = url_for(
            "quizzes.analysis", course_slug=synced_course, module_slug="01-why-social-media"
        )
        editor = url_for(
            "studio.edit", course_slug=synced_course, kind="modules", key="why-social-media"
        )
    assert f'href="{analysis}"' in client.get(module).get_data(as_text=True)
    assert f'href="{analysis}"' in client.get(editor).get_data(as_text=True)
    assert client.get(analysis).status_code == 200


def test_learners_see_no_item_analysis_link(app, client, login_as, synced_course):
    login_as("learner")
    with app.test_request_context():
        from flask import url_for

        module = url_for(
            "learning.module", course_slug=synced_course, module_slug="01-why-social-media"
        )
    page = client.get(module).get_data(as_text=True)
    assert client.get(module).status_code == 200 and "item analysis" not in page
