"""Flask-Migrate, and Alembic under it (about 10 MB), load only when a migration runs: a web
worker never needs them, while `flask db …` and flask_migrate.upgrade() work as before."""

import sys

import click


def init_app(app, **options) -> None:
    """Bind Flask-Migrate now if something already loaded it (a migration script, the `flask`
    command's plugins), else leave stand-ins that bind it on first use."""
    if "flask_migrate" in sys.modules:
        _bind(app, options)
        return
    app.extensions["migrate"] = _Deferred(app, options)
    app.cli.add_command(_DeferredGroup("db", help="Perform database migrations."))


def add_ops_commands() -> None:
    """`flask db backup` and `flask db prune` join Flask-Migrate's group."""
    from flask_migrate.cli import db as group

    from smresidency.ops.cli import backup
    from smresidency.ops.prune import prune

    for command in (backup, prune):
        if command.name not in group.commands:
            group.add_command(command)


def _bind(app, options: dict) -> None:
    from flask_migrate import Migrate

    from smresidency.extensions import db

    Migrate(app, db, **options)  # sets app.extensions["migrate"] and app.cli's `db`
    add_ops_commands()


class _Deferred:
    """Stands in app.extensions["migrate"] until a migration asks for it."""

    def __init__(self, app, options: dict) -> None:
        self._app, self._options = app, options

    def __getattr__(self, name: str):
        _bind(self._app, self._options)
        return getattr(self._app.extensions["migrate"], name)


class _DeferredGroup(click.Group):
    """`flask db` before Flask-Migrate is loaded: used, it hands over to the real group."""

    def make_context(self, info_name, args, parent=None, **extra):
        return _real_group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return _real_group().list_commands(ctx)

    def get_command(self, ctx, name):
        return _real_group().get_command(ctx, name)


def _real_group():
    from flask_migrate.cli import db as group

    add_ops_commands()
    return group
