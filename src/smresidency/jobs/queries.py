"""Reads for the jobs page: what is waiting or failed, with the mail each mail job carries."""

from dataclasses import dataclass

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.jobs.models import FAILED, PENDING, RUNNING, Job
from smresidency.mail.models import OutboxMessage


@dataclass
class JobRow:
    """One job as the admin page shows it."""

    job: Job
    message: OutboxMessage | None


def unfinished(limit: int = 200) -> list[JobRow]:
    """Failed jobs first, then pending and running ones, oldest first; two statements."""
    order = (Job.status != FAILED, Job.created_at, Job.id)
    jobs = db.session.scalars(
        select(Job).where(Job.status.in_((FAILED, PENDING, RUNNING))).order_by(*order).limit(limit)
    ).all()
    ids = [j.payload.get("message_id") for j in jobs if j.kind == "mail.deliver"]
    messages = {
        m.id: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    }
    return [JobRow(j, messages.get(j.payload.get("message_id"))) for j in jobs]


def retryable(job_id: int) -> Job | None:
    """A failed or pending job an admin may send again."""
    return db.session.scalar(select(Job).where(Job.id == job_id, Job.status.in_((FAILED, PENDING))))
