"""The programme overview: every cohort with its figures, for admins, a page at a time."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from smresidency.catalog.models import Course
from smresidency.cohorts.models import Cohort
from smresidency.extensions import db
from tests.cohorts import test_dashboard as dashboard_tests
from tests.cohorts.test_dashboard_queries import crowd

# fixtures shared with the dashboard tests
course, seeded, staff = dashboard_tests.course, dashboard_tests.seeded, dashboard_tests.staff


def cohorts_in_bulk(app, how_many: int) -> None:
    """Empty cohorts with immersion days a week apart, the latest named "Cohort 000"."""
    with app.app_context():
        course_id = db.session.scalar(select(Course.id))
        start = date(2030, 1, 1)
        db.session.execute(
            insert(Cohort),
            [
                {"course_id": course_id, "name": f"Cohort {i:03}",
                 "immersion_date": start - timedelta(weeks=i)}
                for i in range(how_many)
            ],
        )  # fmt: skip
        db.session.commit()


def table_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_figures_match_the_cohort_dashboard(client, login_as, seeded, make_cohort, course):
    make_cohort(course, name="Autumn", learners=2, immersion_in_days=40)
    login_as("admin")
    response = client.get("/programme")
    assert response.status_code == 200
    rows = {r[0]: r for r in table_rows(response.get_data(as_text=True))}
    spring = rows["Spring: Ward 7"]
    assert spring[1] == "Test course"
    # active learners, completion rate, at risk: as on the dashboard (4, 25%, 2)
    assert spring[3:] == ["4", "25%", "2"]
    assert rows["Autumn"][3:] == ["2", "0%", "0"]  # just enrolled: nothing expected yet
    assert list(rows) == ["Autumn", "Spring: Ward 7"]  # latest immersion day first


def test_pagination(app, client, login_as, course):
    cohorts_in_bulk(app, 45)
    login_as("admin")
    first = client.get("/programme").get_data(as_text=True)
    assert len(table_rows(first)) == 20
    assert table_rows(first)[0][0] == "Cohort 000"
    assert "Cohorts 1\u201320 of 45" in first
    assert '<nav aria-label="Pages of cohorts"' in first
    assert re.search(r'href="/programme\?page=1" aria-current="page"', first)
    assert 'href="/programme?page=2" rel="next"' in first
    assert 'rel="prev"' not in first

    last = client.get("/programme?page=3").get_data(as_text=True)
    assert [r[0] for r in table_rows(last)] == [f"Cohort {i:03}" for i in range(40, 45)]
    assert re.search(r'href="/programme\?page=3" aria-current="page"', last)
    assert 'href="/programme?page=2" rel="prev"' in last
    assert 'rel="next"' not in last
    pagination = last.split('aria-label="Pages of cohorts"')[1].split("</nav>")[0]
    assert pagination.count('aria-current="page"') == 1

    assert client.get("/programme?page=4").status_code == 404
    assert client.get("/programme?page=0").status_code == 404
    assert client.get("/programme?page=two").status_code == 200  # falls back to the first


def test_empty_programme(client, login_as):
    login_as("admin")
    html = client.get("/programme").get_data(as_text=True)
    assert "There are no cohorts yet." in html
    assert "<table" not in html
    assert "Pages of cohorts" not in html


def test_admins_only(client, login_as, make_user):
    assert "/login?next=" in client.get("/programme").headers["Location"]
    for role in ("learner", "instructor", "coordinator"):
        login_as(role)
        assert client.get("/programme").status_code == 403, role


def test_statement_count_does_not_grow(app, client, login_as, course, count_queries, make_cohort):
    login_as("admin")
    counts = []
    for extra in (1, 24):
        for _ in range(extra):
            cohort_id, _ = make_cohort(course, capacity=30)
            crowd(app, cohort_id, 3 if extra == 1 else 25)
        client.get("/programme")
        with count_queries() as statements:
            assert client.get("/programme").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("page", ["1", "2"])
def test_pages_link_to_each_dashboard(app, client, login_as, course, page):
    cohorts_in_bulk(app, 25)
    login_as("admin")
    html = client.get(f"/programme?page={page}").get_data(as_text=True)
    ids = re.findall(r'href="/cohorts/(\d+)"', html)
    assert len(ids) == (20 if page == "1" else 5)
