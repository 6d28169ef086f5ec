"""`flask db backup PATH`: a consistent copy of a live SQLite database."""

import sqlite3
from pathlib import Path

import click
from flask.cli import with_appcontext

from smresidency.extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(path):
    """Copy the live SQLite database to PATH with SQLite's online backup API.

    Safe while the app is serving: the copy is one consistent snapshot. For PostgreSQL,
    use pg_dump (see docs/deploy.md).
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"`flask db backup` copies SQLite databases; this one is {url.get_backend_name()}. "
            "Use `pg_dump --format=custom` instead (docs/deploy.md)."
        )
    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{target} exists already; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    dest = sqlite3.connect(target)
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()
    click.echo(f"Backed up {url.database} to {target} ({target.stat().st_size} bytes).")
