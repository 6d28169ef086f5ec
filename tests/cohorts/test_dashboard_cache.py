"""The dashboard's cached rows: the same cells as a fresh computation, rebuilt only when that
learner's inputs change (on any app instance), and a 304 when nothing on the page changed."""

import pytest
from flask import template_rendered
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from smresidency import create_app
from smresidency.catalog.models import ModuleVersion
from smresidency.cohorts import grid as cached
from smresidency.cohorts import milestones
from smresidency.cohorts.dashboard import build_row, live_modules, marks_of, quiz_figures
from smresidency.cohorts.export import columns
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import local_today
from smresidency.extensions import db
from smresidency.learning import services
from smresidency.learning.summary import recompute
from smresidency.quizzes.models import QuizAttempt
from tests.cohorts import test_dashboard as dashboard_tests
from tests.cohorts.test_dashboard import attempt, course_ids, grid, page
from tests.cohorts.test_dashboard_queries import crowd
from tests.conftest import _config

course, staff, seeded = dashboard_tests.course, dashboard_tests.staff, dashboard_tests.seeded


def recomputed(cohort_id: int) -> dict[str, list[str]]:
    """Every learner's cells as the per-learner computation (build_row on raw rows) gives them."""
    cohort = db.session.get(Cohort, cohort_id, options=[joinedload(Cohort.course)])
    modules = live_modules([cohort.course_id])
    ids = [m.id for m in modules]
    enrolments = db.session.scalars(
        select(Enrolment)
        .options(joinedload(Enrolment.user))
        .where(Enrolment.cohort_id == cohort_id)
    ).all()
    users = [e.user_id for e in enrolments]
    marks, quiz = marks_of(users, ids), quiz_figures(users, ids)
    stones = milestones.for_cohort(cohort_id, cohort.course)
    required = [i for i in (cohort.course.immersion or {}).get("items", []) if i.get("required")]
    out = {}
    for enrolment in enrolments:
        row = build_row(enrolment, modules, marks, quiz, cohort, local_today(cohort))
        row.milestones = stones.get(enrolment.id, row.milestones)
        row.milestones.required_total = len(required)
        out[row.user.name] = [" ".join(c.text(row).split()) for c in columns(modules)]
    return out


def shown(client, cohort_id: int) -> dict[str, list[str]]:
    return {r[0]: r for r in grid(page(client, cohort_id, "?withdrawn=1"))[1]}


def enrolment_of(user_id: int) -> int:
    return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user_id))


def version_of(slug: str) -> ModuleVersion:
    return db.session.get(ModuleVersion, course_ids()[slug][1])


def loads(client, cohort_id: int) -> tuple[dict, list[int], list[int]]:
    """The grid, and which enrolments' rows were built and rendered for it."""
    cached.built.clear()
    cached.rendered.clear()
    rows = shown(client, cohort_id)
    return rows, sorted(cached.built), sorted(cached.rendered)


def test_cached_rows_show_what_the_per_learner_computation_shows(app, client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    cohort_id = seeded["cohort_id"]
    first, _, _ = loads(client, cohort_id)
    again, built, rendered = loads(client, cohort_id)
    with app.app_context():
        expected = recomputed(cohort_id)
    assert first == again == expected
    assert len(expected) == 5 and expected["Dee Dunn"][-1] == "Withdrawn"
    assert built == rendered == []  # the second load reused every row and its HTML


def test_a_change_rebuilds_exactly_that_learners_row(app, client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    cohort_id, people = seeded["cohort_id"], seeded["people"]
    ben, eve = people["Ben Baker"].id, people["Eve Evans"].id
    before, _, _ = loads(client, cohort_id)
    with app.app_context():
        services.complete_module(ben, *course_ids()["02-privacy"])  # Ben passed the quiz
        services.mark_read(eve, version_of("02-privacy"))  # Eve read the next module
        db.session.commit()
        changed = sorted([enrolment_of(ben), enrolment_of(eve)])
    after, built, rendered = loads(client, cohort_id)
    assert built == rendered == changed
    assert after["Ben Baker"][4].startswith("Complete") and after["Eve Evans"][4] == "Read"
    assert {n: r for n, r in after.items() if n not in ("Ben Baker", "Eve Evans")} == {
        n: r for n, r in before.items() if n not in ("Ben Baker", "Eve Evans")
    }
    with app.app_context():
        assert after == recomputed(cohort_id)


def test_a_failed_attempt_shows_although_the_summary_did_not_change(app, client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    cohort_id, ben = seeded["cohort_id"], seeded["people"]["Ben Baker"].id
    loads(client, cohort_id)
    with app.app_context():
        attempt(ben, "02-privacy", 70, 0, 2)
        db.session.commit()
        ben_enrolment = enrolment_of(ben)
    after, built, _ = loads(client, cohort_id)
    assert built == [ben_enrolment]
    assert after["Ben Baker"][4] == "Read · best 70% · 2 attempts"


def test_an_attempt_started_then_submitted_shows_once_submitted(app, client, login_as, seeded):
    """Starting an attempt and submitting it are two loads apart, as a learner takes a quiz."""
    login_as(user=seeded["coordinator"])
    cohort_id, ben = seeded["cohort_id"], seeded["people"]["Ben Baker"].id
    token = f"t-{ben}-02-privacy-2"
    with app.app_context():
        attempt(ben, "02-privacy", 0, 0, 2)
        opened = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        opened.submitted_at, opened.score = None, None
        db.session.commit()
    started, _, _ = loads(client, cohort_id)
    assert started["Ben Baker"][4] == "Read · best 50% · 1 attempt"
    with app.app_context():
        opened = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        opened.submitted_at, opened.score = opened.started_at, 80
        db.session.commit()
        ben_enrolment = enrolment_of(ben)
    submitted, built, _ = loads(client, cohort_id)
    assert built == [ben_enrolment]
    assert submitted["Ben Baker"][4] == "Read · best 80% · 2 attempts"


def test_another_app_instance_sees_a_change_at_once(
    app, client, login_as, seeded, database_url, tmp_path
):
    """Two instances on one database, as two hosts: B's cached row notices A's write."""
    other = create_app(_config(database_url, tmp_path / "host-b"))
    reader = other.test_client()
    with reader.session_transaction() as session:
        session["_user_id"] = seeded["coordinator"].session_token
    cohort_id, cai = seeded["cohort_id"], seeded["people"]["Cai Cole"].id
    assert shown(reader, cohort_id)["Cai Cole"][3] == "Not started"
    with app.app_context():  # host A records Cai's reading
        services.mark_read(cai, version_of("01-intro"))
        db.session.commit()
    assert shown(reader, cohort_id)["Cai Cole"][3] == "Complete"  # no quiz: reading completes


def test_unchanged_page_answers_304_without_rendering_then_200_after_a_change(
    app, client, login_as, seeded
):
    login_as(user=seeded["coordinator"])
    url = f"/cohorts/{seeded['cohort_id']}?sort=percent"
    first = client.get(url)
    tag = first.headers["ETag"].strip('"')
    rendered = []

    def note(sender, template, context, **extra):
        rendered.append(template.name)

    with template_rendered.connected_to(note, app):
        same = client.get(url, headers={"If-None-Match": f'"{tag}"'})
    assert same.status_code == 304 and same.data == b"" and rendered == []
    other_view = client.get(url.replace("percent", "name"), headers={"If-None-Match": f'"{tag}"'})
    assert other_view.status_code == 200
    with app.app_context():
        services.mark_read(seeded["people"]["Cai Cole"].id, version_of("01-intro"))
        db.session.commit()
    changed = client.get(url, headers={"If-None-Match": f'"{tag}"'})
    assert changed.status_code == 200 and changed.headers["ETag"].strip('"') != tag
    assert "Cai Cole" in changed.get_data(as_text=True)


def test_the_tag_follows_the_viewer_and_the_sessions_csrf_token(app, client, login_as, seeded):
    """Another session (another CSRF token) never gets a 304 for a page holding this token."""
    login_as(user=seeded["coordinator"])
    url = f"/cohorts/{seeded['cohort_id']}"
    tag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = seeded["coordinator"].session_token
    assert other.get(url, headers={"If-None-Match": tag}).status_code == 200
    faculty = app.test_client()
    with faculty.session_transaction() as session:
        session["_user_id"] = seeded["faculty"].session_token
    assert faculty.get(url, headers={"If-None-Match": tag}).status_code == 200


@pytest.fixture
def cohorts_of(app, course, staff, make_cohort):
    """Cohorts of 5, 50 and 200 learners with varied progress and summaries up to date."""
    made = []
    for size in (5, 50, 200):
        cohort_id, _ = make_cohort(course, coordinators=[staff["coordinator"]], capacity=250)
        crowd(app, cohort_id, size)
        made.append(cohort_id)
    with app.app_context():
        course_id = db.session.scalar(select(Cohort.course_id).where(Cohort.id == made[0]))
        recompute(db.session.connection(), course_ids=[course_id])  # bulk inserts bypass it
        db.session.commit()
    return made


def test_statements_are_constant_for_5_50_and_200_learners_cold_and_warm(
    app, client, login_as, staff, cohorts_of, count_queries
):
    login_as(user=staff["coordinator"])
    for cohort_id in cohorts_of:
        client.get(f"/cohorts/{cohort_id}")  # the course structure is cached once per process
    with app.app_context():  # every summary gets a new version: every cached row is stale
        course_id = db.session.scalar(select(Cohort.course_id).where(Cohort.id == cohorts_of[0]))
        recompute(db.session.connection(), course_ids=[course_id])
        db.session.commit()
    cold, warm = [], []
    for cohort_id in cohorts_of:
        for counts in (cold, warm):
            cached.built.clear()
            with count_queries() as statements:
                assert client.get(f"/cohorts/{cohort_id}?page=1").status_code == 200
            counts.append((len(statements), len(cached.built)))
    assert [n for n, _ in cold] == [cold[0][0]] * 3, cold
    assert [n for n, _ in warm] == [warm[0][0]] * 3, warm
    assert warm[0][0] < cold[0][0] <= 12
    assert [b for _, b in cold] == [5, 50, 200] and [b for _, b in warm] == [0, 0, 0]


def test_a_pending_message_gets_the_whole_page_not_a_304(client, login_as, seeded):
    """A flash (e.g. after a redirect) must be shown, so the page is rendered whatever the tag."""
    login_as(user=seeded["coordinator"])
    url = f"/cohorts/{seeded['cohort_id']}"
    tag = client.get(url).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Reminder sent to 4 learners.")]
    response = client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert "Reminder sent to 4 learners." in response.get_data(as_text=True)
