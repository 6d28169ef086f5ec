"""`flask xapi replay`: send history again to the configured LRS endpoints."""

from collections import Counter
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext


@click.group("xapi", help="xAPI statements to the Learning Record Stores in XAPI_ENDPOINTS.")
def xapi_cli() -> None:
    pass


def _day(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


@xapi_cli.command("replay")
@click.option("--since", required=True, help="First day (UTC), YYYY-MM-DD, inclusive.")
@click.option("--until", default=None, help="Last day (UTC), YYYY-MM-DD, exclusive.")
@click.option("--dry-run", is_flag=True, help="Count the statements by kind; queue nothing.")
@with_appcontext
def replay(since: str, until: str | None, dry_run: bool) -> None:
    """Rebuild statements from history (enrolments, module reads, quiz attempts, check-ins
    and ticks, plan versions and reviews, certificates) and queue them for every endpoint.

    Safe to run again: statement ids are fixed per record, so an LRS that has a statement
    keeps one copy.
    """
    from smresidency.extensions import db
    from smresidency.xapi import replay as history
    from smresidency.xapi.services import endpoints, queue

    start, end = _day(since), _day(until)
    if end is not None and end <= start:
        raise click.BadParameter("--until must be after --since")
    found = history.history(start, end)
    for kind, n in sorted(Counter(kind for kind, _ in found).items()):
        click.echo(f"{kind}: {n}")
    if dry_run:
        click.echo(f"{len(found)} statements found; dry run, nothing queued.")
        return
    if not endpoints():
        raise click.ClickException("No LRS endpoint is configured (XAPI_ENDPOINTS).")
    rows = queue(db.session, found, resend=True) if found else 0
    db.session.commit()
    click.echo(f"{len(found)} statements queued ({rows} outbox rows).")
