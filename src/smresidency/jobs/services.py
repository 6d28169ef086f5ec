"""Enqueue jobs in the caller's transaction, hand them to the queue after it commits, run them."""

import contextlib
import importlib
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.jobs.models import DONE, FAILED, PENDING, RUNNING, Job

log = logging.getLogger(__name__)

# kind -> "module:function"; imported when a job of that kind runs, so nothing loads early
HANDLERS = {
    "mail.deliver": "smresidency.mail.services:deliver",
    "certificates.expiry_reminder": "smresidency.certificates.expiry:send_reminder",
    "webhooks.deliver": "smresidency.webhooks.services:deliver",
    "certificates.pdf": "smresidency.certificates.stored:make_job",
    "xapi.send": "smresidency.xapi.services:send",
}
_AFTER_COMMIT = "smresidency_jobs_after_commit"


class Retry(Exception):
    """Raised by run_job when a failed job should run again after `delay` seconds."""

    def __init__(self, delay: int):
        super().__init__(f"retry in {delay} s")
        self.delay = delay


def enqueue(kind: str, key: str | None = None, **payload) -> Job | None:
    """Write a job in the caller's transaction; None when a job with this key already exists.

    The queue hears of it only after the commit, so a rolled-back request sends nothing.
    """
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if key is not None and db.session.scalar(select(Job.id).where(Job.key == key)):
        return None
    job = Job(
        kind=kind,
        key=key,
        payload=payload,
        max_attempts=current_app.config["JOBS_MAX_ATTEMPTS"],
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:  # the same key, enqueued at the same moment elsewhere
        return None
    db.session.info.setdefault(_AFTER_COMMIT, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint: the real commit is still to come
        return
    ids = session.info.pop(_AFTER_COMMIT, None)
    if ids:
        dispatch(current_app._get_current_object(), ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_AFTER_COMMIT, None)


def dispatch(app, ids: list[int]) -> None:
    """Give committed jobs to the queue; with JOBS_EAGER, run them here in a session of their own.

    A queue that cannot be reached loses nothing: the sweeper enqueues pending rows again.
    """
    if app.config["JOBS_EAGER"]:
        for job_id in ids:
            # a failure stays pending: the sweeper or an admin's retry runs it again
            with app.app_context(), contextlib.suppress(Retry):
                run_job(job_id)
        return
    from smresidency.jobs.queue import get_huey

    try:
        run = get_huey(app).run_job_task
        for job_id in ids:
            run(job_id)
    except Exception:  # the commit stands; the sweeper will enqueue these rows again
        log.exception("could not enqueue jobs %s; the sweeper will retry", ids)


def _handler(kind: str):
    module, name = HANDLERS[kind].split(":")
    return getattr(importlib.import_module(module), name)


def backoff(attempts: int) -> int:
    """Seconds before the next try: doubling from JOBS_RETRY_DELAY, at most six hours."""
    base = current_app.config["JOBS_RETRY_DELAY"]
    return min(base * 2 ** max(attempts - 1, 0), 6 * 3600)


def run_job(job_id: int) -> str | None:
    """Claim one pending job and run it; returns its new status, None if it was not claimable.

    The claim is one UPDATE, so two workers given the same job run it once. A failure leaves
    the job pending with its error until max_attempts, then failed; Retry asks for a later try.
    """
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PENDING)
        .values(status=RUNNING, attempts=Job.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    job = db.session.get(Job, job_id)
    try:
        _handler(job.kind)(**job.payload)
        job.status, job.finished_at, job.last_error = DONE, utcnow(), ""
        db.session.commit()
        return DONE
    except Exception as err:
        db.session.rollback()
        log.warning("job %s (%s) failed: %s", job_id, job.kind, err)
        job = db.session.get(Job, job_id)
        job.last_error = f"{type(err).__name__}: {err}"[:2000]
        job.updated_at = utcnow()
        job.status = FAILED if job.attempts >= job.max_attempts else PENDING
        db.session.commit()
        if job.status == PENDING:
            raise Retry(backoff(job.attempts)) from err
        return FAILED


def retry(job: Job) -> None:
    """An admin's retry: the job runs again with a fresh allowance of attempts."""
    if job.status in (FAILED, PENDING):
        job.status, job.attempts, job.updated_at = PENDING, 0, utcnow()
        db.session.flush()
        db.session.info.setdefault(_AFTER_COMMIT, []).append(job.id)


def sweep(now=None) -> int:
    """Re-enqueue pending jobs the queue may have lost and free jobs whose worker died."""
    now = now or utcnow()
    stale = now - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    db.session.execute(
        update(Job)
        .where(Job.status == RUNNING, Job.updated_at < stale)
        .values(status=PENDING, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    waiting = db.session.scalars(select(Job).where(Job.status == PENDING)).all()
    due = [
        j.id
        for j in waiting
        if as_utc(j.updated_at) + timedelta(seconds=backoff(j.attempts)) <= now
    ]
    db.session.info.setdefault(_AFTER_COMMIT, []).extend(due)
    return len(due)
