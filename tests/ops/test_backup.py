"""`flask db backup` makes a copy that restores to the same rows, table by table."""

import sqlite3

import pytest
from sqlalchemy import create_engine, inspect, select, text

from smresidency.extensions import db as _db


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the online backup API is SQLite's; PostgreSQL uses pg_dump (docs/deploy.md)")


def _rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table: sorted(
                tuple(map(str, row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))
            )
            for table in inspect(engine).get_table_names()
        }


def test_backup_of_a_live_database_restores_every_table(
    sqlite_only, app, runner, synced_course, make_user, client, login_as, tmp_path
):
    login_as("learner")
    client.post(f"/courses/{synced_course}/modules/01-why-social-media/read")
    make_user("instructor")
    with app.app_context():
        live = _db.engine
        # a reader holds a transaction open while the backup runs: the copy is still consistent
        with live.connect() as reader:
            reader.execute(select(1))
            result = runner.invoke(args=["db", "backup", str(tmp_path / "copy.db")])
        assert result.exit_code == 0, result.output
        assert "Backed up" in result.output
        original = _rows(live)
    copy = create_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    restored = _rows(copy)
    copy.dispose()
    assert set(restored) == set(original)
    assert restored == original
    assert len(original["module_progress"]) == 1
    check = sqlite3.connect(tmp_path / "copy.db").execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)


def test_backup_refuses_to_overwrite(sqlite_only, runner, tmp_path):
    (tmp_path / "exists.db").write_text("precious")
    result = runner.invoke(args=["db", "backup", str(tmp_path / "exists.db")])
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert (tmp_path / "exists.db").read_text() == "precious"


def test_backup_explains_what_to_do_on_postgresql(database_url, runner, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL run only")
    result = runner.invoke(args=["db", "backup", str(tmp_path / "x.db")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
