"""The cohort's self-ratings report: exact averages, change over pairs only, and who may see it."""

import re
import secrets
from datetime import timedelta

from sqlalchemy import insert, select

from smresidency.auth.models import User, UserRole
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.ratings.models import SelfRating
from tests.ratings.conftest import withdraw


def report_url(cohort_id: int) -> str:
    return f"/cohorts/{cohort_id}/ratings"


def give(app, user_id: int, phase: str, ratings: dict) -> None:
    """Store a learner's ratings directly, as if given in their window."""
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user_id))
        db.session.add(SelfRating(enrolment_id=enrolment, phase=phase, ratings=ratings))
        db.session.commit()


def table_rows(html: str) -> dict[str, list[str]]:
    """The report table: competency number -> its cells as text, without tags."""
    table = re.search(r'<table class="data rating-report">(.*?)</table>', html, re.S).group(1)
    rows = {}
    for number, cells in re.findall(r'<th scope="row">(\d+)\. .*?</th>(.*?)</tr>', table, re.S):
        rows[number] = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td>(.*?)</td>", cells, re.S)
        ]
    return rows


def test_averages_are_exact_and_change_counts_only_learners_with_both(
    app, client, synced_course, make_user, make_cohort, login_as, competencies
):
    coordinator = make_user("coordinator")
    cohort_id, (a, b, c, d) = make_cohort(synced_course, coordinators=[coordinator], learners=4)
    rest = {k: 3 for k in competencies[1:]}
    give(app, a.id, "pre", {"explain-value": 2, **rest})
    give(app, a.id, "post", {"explain-value": 4, **rest})
    give(app, b.id, "pre", {"explain-value": 3, **rest})
    give(app, b.id, "post", {"explain-value": 5, **rest})
    give(app, c.id, "pre", {"explain-value": 1, **rest})  # before only: no change counted
    give(app, d.id, "pre", {"explain-value": 1, **rest})  # withdrawn: not counted at all
    give(app, d.id, "post", {"explain-value": 1, **rest})
    withdraw(app, d.id)
    login_as(user=coordinator)
    page = client.get(report_url(cohort_id))
    assert page.status_code == 200
    rows = table_rows(page.get_data(as_text=True))
    assert len(rows) == 8
    assert rows["1"] == ["2", "2.00 (n = 3)", "4.50 (n = 2)", "+2.00 (n = 2)"]
    assert rows["2"] == ["2", "3.00 (n = 3)", "3.00 (n = 2)", "0.00 (n = 2)"]
    html = page.get_data(as_text=True)
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd class=\"figure-value\">(\d+)</dd>", html))
    assert figures == {
        "Learners (active)": "3",
        "Rated before": "3",
        "Rated after": "2",
        "Rated both": "2",
    }


def test_a_statement_missing_from_one_phase_leaves_that_learner_out_of_its_change(
    app, client, residency, login_as, competencies
):
    a, b = residency["learners"]
    everything = dict.fromkeys(competencies, 2)
    give(app, a.id, "pre", everything)
    give(app, a.id, "post", dict.fromkeys(competencies, 3))
    give(app, b.id, "pre", everything)
    # b's "after" lacks a statement (say, the course added it later) and has a bad value
    give(app, b.id, "post", {**dict.fromkeys(competencies, 5), "plan-strategy": None})
    login_as(user=residency["faculty"])
    rows = table_rows(client.get(report_url(residency["cohort_id"])).get_data(as_text=True))
    assert rows["1"] == ["2", "2.00 (n = 2)", "4.00 (n = 2)", "+2.00 (n = 2)"]
    assert rows["8"] == ["1", "2.00 (n = 2)", "3.00 (n = 1)", "+1.00 (n = 1)"]


def test_a_declining_average_shows_a_minus_sign_and_rounds_half_up(
    app, client, synced_course, make_user, make_cohort, login_as, competencies
):
    coordinator = make_user("coordinator")
    cohort_id, people = make_cohort(synced_course, coordinators=[coordinator], learners=8)
    for n, person in enumerate(people):  # before: 5 each; after: five 4s and three 5s
        give(app, person.id, "pre", dict.fromkeys(competencies, 5))
        give(app, person.id, "post", dict.fromkeys(competencies, 4 if n < 5 else 5))
    login_as(user=coordinator)
    rows = table_rows(client.get(report_url(cohort_id)).get_data(as_text=True))
    # after = 35/8 = 4.375 → 4.38; change = -5/8 = -0.625 → minus 0.63, where "%.2f" gives -0.62
    assert rows["3"] == ["8", "5.00 (n = 8)", "4.38 (n = 8)", "\u22120.63 (n = 8)"]


def test_nobody_rated_yet_shows_an_empty_state_and_no_chart(client, residency, login_as):
    login_as(user=residency["coordinator"])
    html = client.get(report_url(residency["cohort_id"])).get_data(as_text=True)
    assert "Nobody in this cohort has rated themselves yet" in html
    assert "<svg" not in html and "rating-report" not in html


def test_the_chart_is_an_accessible_server_drawn_svg(
    app, client, residency, login_as, competencies
):
    a, b = residency["learners"]
    give(app, a.id, "pre", dict.fromkeys(competencies, 2))
    give(app, a.id, "post", dict.fromkeys(competencies, 4))
    give(app, b.id, "pre", dict.fromkeys(competencies, 3))  # before only
    login_as(user=residency["coordinator"])
    html = client.get(report_url(residency["cohort_id"])).get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    opening = re.match(r"<svg([^>]*)>", svg).group(1)
    assert 'role="img"' in opening
    labelled = re.search(r'aria-labelledby="([^"]+)"', opening).group(1).split()
    assert labelled == ["ratings-chart-title", "ratings-chart-desc"]
    title = re.search(r'<title id="ratings-chart-title">([^<]+)</title>', svg).group(1)
    desc = re.search(r'<desc id="ratings-chart-desc">([^<]+)</desc>', svg).group(1)
    assert title == "Average self-rating before and after the residency"
    assert "8 competencies" in desc
    assert "1. Explain value: 2.50 before, 4.00 after, average change +2.00 for 1 learner" in desc
    assert "style=" not in html and "<script" not in html
    # one hollow (before) and one filled (after) dot per competency, plus the legend's pair
    assert svg.count('class="rating-dot-pre"') == 9
    assert svg.count('class="rating-dot-post"') == 9
    assert svg.count('class="rating-link"') == 8


def test_access_learners_are_refused_and_other_staff_do_not_see_the_cohort(
    client, residency, synced_course, make_user, make_cohort, login_as
):
    url = report_url(residency["cohort_id"])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    login_as(user=residency["learners"][0])
    assert client.get(url).status_code == 403
    login_as("instructor")  # not faculty of this cohort
    assert client.get(url).status_code == 404
    other = make_user("coordinator")
    make_cohort(synced_course, coordinators=[other])
    login_as(user=other)
    assert client.get(url).status_code == 404
    assert client.get(report_url(residency["cohort_id"] + 999)).status_code == 404
    for allowed in (residency["faculty"], residency["coordinator"], make_user("admin")):
        login_as(user=allowed)
        assert client.get(url).status_code == 200


def _crowd(app, cohort_id: int, size: int, competencies: list[str]) -> None:
    """`size` learners enrolled in bulk, each with both phases rated."""
    with app.app_context():
        tag = secrets.token_hex(4)
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"rater-{tag}-{i}@example.test",
                    "name": f"Rater {i}",
                    "password_hash": "x",
                    "session_token": secrets.token_urlsafe(32),
                }
                for i in range(size)
            ],
        )
        ids = db.session.scalars(select(User.id).where(User.email.like(f"%-{tag}-%"))).all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        course_id = db.session.get(Cohort, cohort_id).course_id
        db.session.execute(
            insert(Enrolment),
            [
                {"cohort_id": cohort_id, "user_id": u, "course_id": course_id,
                 "enrolled_at": utcnow() - timedelta(days=3)}
                for u in ids
            ],
        )  # fmt: skip
        enrolments = db.session.scalars(
            select(Enrolment.id).where(Enrolment.user_id.in_(ids))
        ).all()
        db.session.execute(
            insert(SelfRating),
            [
                {"enrolment_id": e, "phase": phase,
                 "ratings": {c: (n + k) % 5 + 1 for k, c in enumerate(competencies)}}
                for n, e in enumerate(enrolments)
                for phase in ("pre", "post")
            ],
        )  # fmt: skip
        db.session.commit()


def test_the_report_reads_in_the_same_statements_for_3_or_60_learners(
    app, client, synced_course, make_user, make_cohort, login_as, competencies, count_queries
):
    coordinator = make_user("coordinator")
    small, _ = make_cohort(synced_course, coordinators=[coordinator])
    large, _ = make_cohort(synced_course, coordinators=[coordinator], capacity=60)
    _crowd(app, small, 3, competencies)
    _crowd(app, large, 60, competencies)
    login_as(user=coordinator)
    counts = {}
    for cohort_id, size in ((small, 3), (large, 60)):
        with count_queries() as statements:
            page = client.get(report_url(cohort_id))
        assert page.status_code == 200
        assert f'<dd class="figure-value">{size}</dd>' in page.get_data(as_text=True)
        counts[size] = len(statements)
    assert counts[3] == counts[60] <= 5  # one of them: the site settings every page reads
