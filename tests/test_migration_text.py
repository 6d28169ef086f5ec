"""Migration 0012 cleans names stored before the forms refused control characters."""

from flask_migrate import upgrade
from sqlalchemy import text

from smresidency.extensions import db
from tests.conftest import _drop_postgres_database
from tests.fixtures.control_characters import FORBIDDEN
from tests.test_migrations import _fresh_app

ROWS = [
    "INSERT INTO course (id, slug, title, summary, description_html, hours, organisation,"
    " competencies, certificate, content_hash, rendered_with, synced_at) VALUES"
    " (1, 'c', 'C', '', '', 1, '', '[]', '{}', 'h', 0, CURRENT_TIMESTAMP)",
    'INSERT INTO "user" (id, email, name, password_hash, session_token, active, created_at)'
    " VALUES (1, 'a@example.test', :bad, 'x', 's1', true, CURRENT_TIMESTAMP),"
    " (2, 'b@example.test', :decomposed, 'x', 's2', true, CURRENT_TIMESTAMP),"
    " (3, 'c@example.test', 'Zoë Παπαδοπούλου', 'x', 's3', true, CURRENT_TIMESTAMP)",
    "INSERT INTO cohort (id, course_id, name, immersion_date, timezone, place, online_link,"
    " capacity, invite_nonce, created_at) VALUES"
    " (1, 1, 'Spring', '2026-06-01', 'UTC', 'Room\u202e 2', '', 20, 'n1', CURRENT_TIMESTAMP),"
    " (2, 1, :spring, '2026-06-02', 'UTC', '', '', 20, 'n2', CURRENT_TIMESTAMP)",
    "INSERT INTO enrolment (id, cohort_id, user_id, course_id, profession, department, status,"
    " enrolled_at) VALUES (1, 1, 1, 1, 'clinician', :ward, 'active', CURRENT_TIMESTAMP)",
]
VALUES = {
    "bad": "Line One\r\nBcc: victim@evil.example",
    "decomposed": "Zoe\u0308",
    "spring": "Spring\u202e",
    "ward": "Ward\t7\u200f",
}


def test_names_places_and_departments_are_cleaned_and_clean_ones_left_alone(tmp_path):
    app, url, base = _fresh_app(tmp_path)
    try:
        with app.app_context():
            upgrade(revision="0011")
            with db.engine.begin() as conn:
                for statement in ROWS:
                    conn.execute(text(statement), VALUES)
            upgrade(revision="0012")
            with db.engine.connect() as conn:
                users = conn.execute(text('SELECT id, name FROM "user" ORDER BY id')).all()
                cohorts = conn.execute(text("SELECT id, name, place FROM cohort ORDER BY id"))
                cohorts = cohorts.all()
                department = conn.execute(text("SELECT department FROM enrolment")).scalar()
            db.engine.dispose()
    finally:
        if base:
            _drop_postgres_database(url, base)
    assert users == [
        (1, "Line One Bcc: victim@evil.example"),
        (2, "Zoë"),
        (3, "Zoë Παπαδοπούλου"),
    ]
    # "Spring\u202e" would become a second "Spring" in the course: it keeps its id apart
    assert cohorts == [(1, "Spring", "Room 2"), (2, "Spring (2)", "")]
    assert department == "Ward 7"
    assert not any(FORBIDDEN.search(str(row)) for row in [*users, *cohorts, department])
