"""The Huey instance of an app: SQLite beside the database by default, Redis with REDIS_URL.

Tasks are registered per instance, closing over the app, so a worker runs each job inside
that app's context; the queue itself carries only job ids.
"""

from pathlib import Path

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask

_KEY = "smresidency_huey"


def get_huey(app: Flask):
    """The app's queue, built once per process from its settings."""
    if _KEY not in app.extensions:
        app.extensions[_KEY] = _build(app)
    return app.extensions[_KEY]


def _build(app: Flask):
    cfg = app.config
    if cfg.get("REDIS_URL"):
        huey = RedisHuey(
            name=f"{cfg['REDIS_KEY_PREFIX']}_jobs", url=cfg["REDIS_URL"], results=False, utc=True
        )
    else:
        path = cfg.get("JOBS_SQLITE_PATH") or str(Path(app.instance_path) / "jobs.sqlite3")
        huey = SqliteHuey(name="jobs", filename=path, results=False, utc=True)
    _register(app, huey)
    return huey


def _register(app: Flask, huey) -> None:
    """The one job runner and the periodic jobs (the scheduler that replaces cron)."""
    from smresidency.jobs import periodic, services

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        with app.app_context():
            try:
                services.run_job(job_id)
            except services.Retry as retry:
                raise RetryTask(delay=retry.delay) from None

    huey.run_job_task = run_job  # services.dispatch enqueues through it

    def every(schedule, name, func):
        @huey.periodic_task(schedule, name=name)
        def task() -> None:
            with app.app_context():
                func()

    every(crontab(minute="*/5"), "jobs.sweep", periodic.sweep)
    every(crontab(minute="0", hour="7"), "reminders.due", periodic.reminders_due)
    every(crontab(minute="15", hour="7"), "certificates.expiry", periodic.certificate_expiry)
    every(crontab(minute="30", hour="3"), "db.prune", periodic.prune)
