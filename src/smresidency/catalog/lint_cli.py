"""`flask content lint`: the quality warnings, printed as file:line: warning: message."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from smresidency.catalog.lint import LintSettings, lint_course
from smresidency.catalog.loader import load_content


def lint_settings() -> LintSettings:
    """The thresholds from settings (CONTENT_LINT_MAX_GRADE, CONTENT_LINT_MAX_AGE_MONTHS)."""
    config = current_app.config
    return LintSettings(
        max_grade=float(config.get("CONTENT_LINT_MAX_GRADE", 13)),
        max_age_months=int(config.get("CONTENT_LINT_MAX_AGE_MONTHS", 12)),
    )


@click.command("lint")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--strict", is_flag=True, help="Exit 1 when there is any warning (for CI).")
@with_appcontext
def lint(path, strict):
    """Warn about cued answers, time estimates, stale facts, reading level and link syntax.

    Warnings never block a sync or a publish. PATH defaults to the content directory.
    Exit 1 on content problems (as validate), or on any warning with --strict.
    """
    courses, problems = load_content(Path(path or current_app.config["CONTENT_DIR"]))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    settings = lint_settings()
    warnings = [w for course in courses for w in lint_course(course, settings)]
    for warning in warnings:
        click.echo(str(warning))
    modules = sum(len(c.modules) for c in courses)
    click.echo(f"{len(warnings)} warning(s) in {len(courses)} course(s), {modules} module(s).")
    if strict and warnings:
        raise SystemExit(1)
