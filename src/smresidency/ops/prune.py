"""`flask db prune`: forget rate-limit hits older than a day, idle devices and expired
registration links (for cron)."""

import click
from flask.cli import with_appcontext

from smresidency.extensions import db


@click.command("prune")
@click.option(
    "--older-than", default=86400, show_default=True, help="Age in seconds of rows to delete."
)
@with_appcontext
def prune(older_than):
    """Delete old rate-limit hits (Redis expires its own), idle devices, expired links."""
    from smresidency.auth.devices import prune_idle
    from smresidency.auth.registration import prune_expired
    from smresidency.ratelimit.store import prune as prune_hits

    removed = prune_hits(older_than)
    devices, registrations = prune_idle(), prune_expired()
    db.session.commit()
    click.echo(f"Removed {removed} rate-limit hit(s) older than {older_than} seconds.")
    click.echo(
        f"Removed {devices} idle device session(s), {registrations} expired registration(s)."
    )
