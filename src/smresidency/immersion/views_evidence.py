"""The learner's immersion page and workshop evidence: a link submitted, confirmed or returned."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import SIGNED_IN, allow
from smresidency.cohorts.access import taught_cohort_or_none
from smresidency.cohorts.chart import long_date
from smresidency.immersion import bp, calendar, evidence, learner
from smresidency.immersion.forms import BulkConfirmForm, evidence_form, review_form


def _my_day_or_404(course_slug: str) -> learner.MyDay:
    day = learner.my_day(course_slug, current_user.id)
    if day is None:
        abort(404)
    return day


def _render_my_day(day: learner.MyDay, bound=None, error=None, status: int = 200):
    """The page, with the posted form (and any refusal) kept on the item it belongs to."""
    forms = {
        s.item["id"]: evidence_form(s.item["id"], title=s.item["title"])
        for s in day.items
        if s.takes_evidence
    }
    problem = None
    if bound:
        forms[bound[0]] = bound[1]
        message = (
            "The form expired. Please submit it again."
            if bound[1].errors.get("csrf_token")
            else "Your link was not accepted."
        )
        problem = _problem(day, bound[0], message, anchor=bound[1].url.id)
    if error:
        problem = _problem(day, error[0], error[1], anchor=f"item-{error[0]}")
    page = render_template(
        "immersion/my_day.html",
        day=day,
        forms=forms,
        error=error,
        problem=problem,
        long_date=long_date,
    )
    return page, status


def _problem(day: learner.MyDay, item_id: str, message: str, anchor: str) -> dict:
    return {"message": message, "title": day.find(item_id).item["title"], "anchor": anchor}


@bp.get("/courses/<course_slug>/immersion")
@allow(SIGNED_IN)
def my_day(course_slug: str):
    return _render_my_day(_my_day_or_404(course_slug))


@bp.post("/courses/<course_slug>/immersion/<item_id>/evidence")
@allow(SIGNED_IN)
def submit_evidence(course_slug: str, item_id: str):
    day = _my_day_or_404(course_slug)
    state = day.find(item_id)
    if day.enrolment is None or state is None or not state.takes_evidence:
        abort(404)
    form = evidence_form(item_id, bound=True, title=state.item["title"])
    if not form.validate_on_submit():
        return _render_my_day(day, bound=(item_id, form), status=422)
    try:
        evidence.submit(day.enrolment.id, item_id, form.url.data, current_user.id)
    except evidence.EvidenceLocked as err:
        return _render_my_day(day, error=(item_id, str(err)), status=409)
    except evidence.EvidenceError as err:
        form.url.errors = [str(err)]
        return _render_my_day(day, bound=(item_id, form), status=422)
    flash(
        f"Your link for “{state.item['title']}” is submitted. Your faculty member will review it.",
        "success",
    )
    return redirect(url_for("immersion.my_day", course_slug=course_slug) + f"#item-{item_id}")


def _taught_or_404(cohort_id: int):
    return taught_cohort_or_none(current_user, cohort_id) or abort(404)


def _filters(source) -> dict:
    """The queue's filters from a query string or a form; anything malformed reads as unset."""
    raw = (source.get("learner") or "").strip()
    status = (source.get("status") or "").strip()
    return {
        "learner": int(raw) if raw.isdigit() and len(raw) < 12 else None,
        "item": (source.get("item") or "").strip()[:64],
        "status": status if status in learner.STATUSES else "",
    }


def _queue_url(cohort_id: int, filters: dict) -> str:
    kept = {k: v for k, v in filters.items() if v not in (None, "")}
    return url_for("immersion.evidence_queue", cohort_id=cohort_id, **kept)


def _render_queue(cohort, bound=None, status: int = 200, filters=None, bulk_error=None):
    filters = filters or _filters(request.args)
    queue = learner.evidence_queue(cohort).narrowed(**filters)
    entries = (*queue.waiting, *queue.reviewed)
    forms = {e.row.id: review_form(e.row.id) for e in entries}
    problem = None
    if bound:
        forms[bound[0]] = bound[1]
        e = next(e for e in entries if e.row.id == bound[0])
        expired = bool(bound[1].errors.get("csrf_token"))
        problem = {
            "learner": e.learner,
            "item_title": e.item_title,
            "anchor": bound[1].note.id,
            "message": "The form expired. Please submit it again." if expired else "",
        }
    page = render_template(
        "immersion/evidence_queue.html",
        queue=queue,
        forms=forms,
        problem=problem,
        filters=filters,
        statuses=learner.STATUSES,
        bulk=BulkConfirmForm(formdata=None),
        bulk_error=bulk_error,
        back=_queue_url(cohort.id, filters),
    )
    return page, status


@bp.get("/cohorts/<int:cohort_id>/evidence")
@allow("instructor")
def evidence_queue(cohort_id: int):
    return _render_queue(_taught_or_404(cohort_id))


@bp.post("/cohorts/<int:cohort_id>/evidence/<int:check_off_id>")
@allow("instructor")
def review_evidence(cohort_id: int, check_off_id: int):
    cohort = _taught_or_404(cohort_id)
    row = learner.evidence_in_cohort(cohort.id, check_off_id) or abort(404)
    form = review_form(check_off_id, bound=True)
    if not form.validate_on_submit():
        return _render_queue(cohort, bound=(check_off_id, form), status=422)
    queue_url = _queue_url(cohort.id, _filters(request.form))
    if form.decision.data == "confirm":
        changed = evidence.confirm(row, current_user.id)
        flash(
            "Confirmed: the item is ticked." if changed else "It was already confirmed.", "success"
        )
    else:
        try:
            evidence.return_evidence(row, form.note.data, current_user.id)
        except evidence.EvidenceError as err:
            form.note.errors = [str(err)]
            return _render_queue(cohort, bound=(check_off_id, form), status=422)
        flash("Asked again: the learner sees your note on their immersion page.", "success")
    return redirect(queue_url)


@bp.post("/cohorts/<int:cohort_id>/evidence/confirm")
@allow("instructor")
def confirm_evidence(cohort_id: int):
    cohort = _taught_or_404(cohort_id)
    filters = _filters(request.form)
    form = BulkConfirmForm()
    if not form.validate_on_submit():
        return _render_queue(
            cohort, filters=filters, status=422, bulk_error="The form expired. Nothing was saved."
        )
    raw = request.form.getlist("ids")
    wanted = {int(v) for v in raw if v.isdigit() and len(v) < 12}
    if len(wanted) != len(set(raw)):
        abort(404)
    rows = learner.evidence_for_confirming(cohort.id, sorted(wanted))
    try:
        count = evidence.confirm_many(rows, wanted, current_user.id)
    except evidence.EvidenceError as err:
        status = 409 if wanted else 422
        return _render_queue(cohort, filters=filters, status=status, bulk_error=str(err))
    flash(f"Confirmed {count} link{'' if count == 1 else 's'}: the items are ticked.", "success")
    return redirect(_queue_url(cohort.id, filters))


@bp.get("/courses/<course_slug>/immersion/immersion-day.ics", endpoint="calendar")
@allow(SIGNED_IN)
def calendar_invite(course_slug: str):
    day = _my_day_or_404(course_slug)
    if day.cohort is None:
        abort(404)
    page = url_for("immersion.my_day", course_slug=course_slug, _external=True)
    body = calendar.invite(day.cohort, day.course.title, page)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8; method=PUBLISH"
    response.headers["Content-Disposition"] = 'attachment; filename="immersion-day.ics"'
    return response
