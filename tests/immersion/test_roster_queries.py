"""The roster and a learner's history read in the same number of statements for 3 or 60."""

from sqlalchemy import select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion import services


def cohort_with_ticks(app, make_user, make_cohort, course, size: int, faculty):
    """A cohort of `size` learners, each with a few items ticked and one unticked again."""
    cohort_id, _ = make_cohort(course, faculty=[faculty], learners=size, capacity=size)
    with app.app_context():
        enrolments = db.session.scalars(
            select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
        ).all()
        for eid in enrolments:
            for item in ("check-in", "welcome-briefing", "blog-post"):
                services.set_checked(eid, item, True, by_id=faculty.id)
            services.set_checked(eid, "blog-post", False, by_id=faculty.id)
        db.session.commit()
    return cohort_id, enrolments


def statements_for(client, count_queries, url: str) -> int:
    client.get(url)  # warm up anything loaded once per process
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_roster_reads_in_constant_statements(
    app, client, login_as, make_user, make_cohort, synced_course, count_queries
):
    faculty = make_user("instructor")
    small, _ = cohort_with_ticks(app, make_user, make_cohort, synced_course, 3, faculty)
    large, _ = cohort_with_ticks(app, make_user, make_cohort, synced_course, 60, faculty)
    login_as(user=faculty)
    few = statements_for(client, count_queries, f"/cohorts/{small}/roster")
    many = statements_for(client, count_queries, f"/cohorts/{large}/roster")
    assert few == many
    # the signed-in user, the site settings every page reads, the cohort, its check-offs,
    # its learners (with their plans and ratings)
    assert many <= 5
    page = client.get(f"/cohorts/{large}/roster").get_data(as_text=True)
    # the plan and the "after" rating are derived: shown, never toggles
    assert page.count('class="tick-form"') == 60 * 14  # 16 items less the two derived ones
    assert page.count("✓ Ticked") == 60 * 2


def test_history_reads_in_constant_statements(
    app, client, login_as, make_user, make_cohort, synced_course, count_queries
):
    faculty = make_user("instructor")
    cohort_id, enrolments = cohort_with_ticks(
        app, make_user, make_cohort, synced_course, 2, faculty
    )
    busy, quiet = enrolments
    with app.app_context():
        for n in range(20):
            services.set_checked(busy, "live-chat", n % 2 == 0, by_id=faculty.id)
        db.session.commit()
    login_as(user=faculty)
    few = statements_for(client, count_queries, f"/cohorts/{cohort_id}/roster/{quiet}")
    many = statements_for(client, count_queries, f"/cohorts/{cohort_id}/roster/{busy}")
    # the signed-in user, the site settings, the cohort, the enrolment, its events
    assert few == many <= 5
