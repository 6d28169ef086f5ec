"""The admin page of pending and failed jobs (mail included), with a retry button."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from smresidency.access import allow
from smresidency.jobs import queries, services

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@bp.get("/")
@allow("admin")
def index():
    from smresidency.xapi.queries import outbox_counts

    return render_template(
        "jobs/index.html", rows=queries.unfinished(), form=FlaskForm(), xapi=outbox_counts()
    )


@bp.post("/<int:job_id>/retry")
@allow("admin")
def retry(job_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    job = queries.retryable(job_id)
    if job is None:
        abort(404)
    services.retry(job)
    flash(f"Job {job.id} is queued again.", "success")
    return redirect(url_for("jobs.index"))
