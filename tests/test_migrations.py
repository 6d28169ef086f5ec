"""The migrations build the schema from empty, tear it down, and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from smresidency import create_app
from smresidency.extensions import db
from tests.conftest import _config, _drop_postgres_database, _postgres_database


def _fresh_app(tmp_path):
    import os

    base = os.environ.get("SMRESIDENCY_TEST_DATABASE_URL")
    url = _postgres_database(base) if base else f"sqlite:///{tmp_path}/migrate.db"
    return create_app(_config(url, tmp_path)), url, base


def test_upgrade_from_empty_downgrade_to_base_and_models_match(tmp_path):
    app, url, base = _fresh_app(tmp_path)
    try:
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"user", "course", "module", "module_version", "module_progress"} <= tables

            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True}
                )
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        if base:
            _drop_postgres_database(url, base)


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app(_config(f"sqlite:///{tmp_path}/pragmas.db", tmp_path))
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        db.engine.dispose()
    create_engine("sqlite://").dispose()


def test_question_count_is_backfilled_for_versions_synced_before_it_existed(tmp_path):
    """An installation upgraded from 0003 keeps its quizzes: the new column is filled in."""
    import json

    from sqlalchemy import text

    app, url, base = _fresh_app(tmp_path)
    try:
        with app.app_context():
            upgrade(revision="0003")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO course (id, slug, title, summary, description_html, hours,"
                        " organisation, competencies, certificate, content_hash, rendered_with,"
                        " synced_at) VALUES (1, 'c', 'C', '', '', 1, '', '[]', '{}', 'h', 0,"
                        " CURRENT_TIMESTAMP)"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO module (id, course_id, slug, position, current_hash, retired)"
                        " VALUES (1, 1, '01-a', 1, 'h1', false)"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO module_version (id, module_id, content_hash, title, minutes,"
                        " objectives, requires, lesson_html, quiz, source, rendered_with,"
                        " created_at) VALUES (1, 1, 'h1', 'A', 5, '[]', '[]', '', :quiz, '', 0,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"quiz": json.dumps({"questions": [{"key": "q1"}, {"key": "q2"}]})},
                )
            upgrade()
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT question_count FROM module_version")).scalar() == 2
            db.engine.dispose()
    finally:
        if base:
            _drop_postgres_database(url, base)
