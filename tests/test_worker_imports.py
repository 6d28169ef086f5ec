"""A web worker loads what pages need: migration tooling and the SSO client load on first use."""

from tests.fresh_process import run_python

# modules a worker must not hold just for being created and serving pages
NOT_IN_A_WORKER = ("alembic", "flask_migrate", "mako", "authlib", "requests")


def test_a_worker_serving_pages_does_not_import_migrations_or_the_sso_client(tmp_path):
    done = run_python(
        f"""
        import sys
        from smresidency import create_app
        app = create_app()
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code == 200
        loaded = sorted(m for m in {NOT_IN_A_WORKER!r} if m in sys.modules)
        print("LOADED", loaded)
        """,
        tmp_path,
    )
    assert "LOADED []" in done.stdout, done.stdout + done.stderr


def test_migration_commands_still_load_when_used(tmp_path):
    done = run_python(
        """
        from smresidency import create_app
        from sqlalchemy import inspect
        app = create_app()
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        listed = runner.invoke(args=["db", "--help"]).output
        assert "backup" in listed and "prune" in listed, listed
        with app.app_context():
            from smresidency.extensions import db
            print("TABLES", "alembic_version" in inspect(db.engine).get_table_names())
        """,
        tmp_path,
    )
    assert "TABLES True" in done.stdout, done.stdout + done.stderr
