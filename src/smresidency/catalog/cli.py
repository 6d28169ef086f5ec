"""`flask content …`: validate and sync the Markdown course content."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from smresidency.catalog.loader import load_content

content_cli = click.Group("content", help="Check and load course content written in Markdown.")


def _root(path: str | None) -> Path:
    return Path(path or current_app.config["CONTENT_DIR"])


@content_cli.command("validate")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def validate(path):
    """Print every problem as file:line: message; exit 1 if there is any.

    PATH defaults to the configured content directory (course_content/).
    """
    courses, problems = load_content(_root(path))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    modules = sum(len(c.modules) for c in courses)
    click.echo(f"OK: {len(courses)} course(s), {modules} module(s), no problems.")


@content_cli.command("sync")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def sync(path):
    """Validate, then load the content into the database; all or nothing.

    Unchanged modules are left alone; a changed file becomes a new version; a module
    whose file is gone is retired (kept for the records that point at it).
    """
    from smresidency.catalog.sync import ContentInvalid, sync_content
    from smresidency.extensions import db

    try:
        report = sync_content(_root(path))
    except ContentInvalid as err:
        db.session.rollback()
        for problem in err.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Sync refused: {len(err.problems)} problem(s); nothing was changed.", err=True)
        raise SystemExit(1) from err
    db.session.commit()
    if not report.changed:
        click.echo(f"Nothing changed ({report.modules_unchanged} module(s) already up to date).")
        return
    for label, items in (
        ("course added", report.courses_added),
        ("course updated", report.courses_updated),
        ("new module version", report.versions_added),
        ("re-rendered (same content)", report.rerendered),
        ("module retired", report.modules_retired),
    ):
        for item in items:
            click.echo(f"{label}: {item}")
    click.echo(f"Synced; {report.modules_unchanged} module(s) unchanged.")
