"""`flask worker` runs the queue; `flask jobs run NAME` runs a periodic job now (for cron)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from smresidency.jobs import periodic

PERIODIC = {
    "sweep": periodic.sweep,
    "reminders-due": periodic.reminders_due,
    "certificate-expiry": periodic.certificate_expiry,
    "prune": periodic.prune,
}


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Threads running jobs.")
@click.option(
    "--no-periodic", is_flag=True, help="Leave the schedule to another worker (or to cron)."
)
@with_appcontext
def worker(workers, no_periodic):
    """Run jobs from the queue until stopped (SQLite by default, Redis with REDIS_URL)."""
    from smresidency.jobs.queue import get_huey

    app = current_app._get_current_object()
    huey = get_huey(app)
    click.echo(f"worker: {type(huey.storage).__name__} queue {huey.name!r}, {workers} thread(s)")
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=not no_periodic, check_worker_health=True
    )
    consumer.run()


jobs_cli = click.Group("jobs", help="The job queue: run a periodic job now (for cron).")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(PERIODIC)))
@with_appcontext
def run(name):
    """Run one periodic job in this process, as the worker's scheduler would."""
    PERIODIC[name]()
    click.echo(f"{name}: done.")
