"""The faculty roster of the immersion day: tick items per learner, and each learner's history."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from smresidency.access import allow
from smresidency.db import as_utc
from smresidency.immersion import bp, services
from smresidency.immersion.roster import cohort_roster, learner_history, name_of, tick_target
from smresidency.immersion.roster import when as format_when


class TickForm(FlaskForm):
    """The desired state of one cell ("1" ticked, "0" not), so repeated presses converge."""

    checked = HiddenField(validators=[AnyOf(("0", "1"))])
    reason = StringField(
        "Why are you checking them in by hand?",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description="For example “checked in on paper” or “phone would not scan the code”. "
        "It is kept in the learner's checklist history.",
    )


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(("text/html", "application/json"))
    return best == "application/json"


@bp.get("/cohorts/<int:cohort_id>/roster")
@allow("instructor", "coordinator")
def roster(cohort_id: int):
    board = cohort_roster(current_user, cohort_id)
    if board is None:
        abort(404)
    board.show_session(request.args.get("session"))
    return render_template("immersion/roster.html", roster=board)


def _by_hand_page(target, form: TickForm, status: int = 200):
    return render_template("immersion/by_hand.html", target=target, form=form), status


@bp.get("/cohorts/<int:cohort_id>/roster/<int:enrolment_id>/<item_id>")
@allow("instructor")
def by_hand(cohort_id: int, enrolment_id: int, item_id: str):
    """Checking a learner in by hand asks for a reason, so it has a page of its own."""
    target = tick_target(current_user, cohort_id, enrolment_id, item_id, lock=False)
    if target is None or target.item["kind"] != "attendance":
        abort(404)
    return _by_hand_page(target, TickForm(formdata=None, checked="1"))


@bp.post("/cohorts/<int:cohort_id>/roster/<int:enrolment_id>/<item_id>")
@allow("instructor")
def toggle(cohort_id: int, enrolment_id: int, item_id: str):
    target = tick_target(current_user, cohort_id, enrolment_id, item_id)
    if target is None:
        abort(404)
    session = request.form.get("session", "")  # back to the one session shown, if it was
    session = session if session.isdigit() and len(session) < 4 else None
    back = url_for(
        "immersion.roster", cohort_id=cohort_id, session=session, _anchor=f"learner-{enrolment_id}"
    )
    if services.is_derived(target.item):  # only the plan review or the rating may tick it
        message = services.derived_message(target.item)
        if _wants_json():
            return jsonify(error=message), 409
        return render_template("immersion/tick_refused.html", message=message, back=back), 409
    who, title = target.enrolment.user.name, target.item["title"]
    form = TickForm()
    if not form.validate_on_submit():
        message = "That press was not understood (the page may be out of date). Please try again."
        if _wants_json():
            return jsonify(error=message), 400
        flash(message, "error")
        return redirect(back, 303)
    checked = form.checked.data == "1"
    try:
        row = services.tick_by_hand(
            enrolment_id, target.item, checked, current_user.id, form.reason.data or ""
        )
    except services.ImmersionError as err:  # attendance ticked by hand without a good reason
        if _wants_json():
            return jsonify(error=str(err)), 422
        form.reason.errors = [str(err)]
        return _by_hand_page(target, form, 422)
    by = current_user.name if row.updated_by_id == current_user.id else name_of(row.updated_by_id)
    at = as_utc(row.updated_at) if row.updated_by_id else None
    state = "ticked" if row.checked else "not ticked"
    if _wants_json():
        return jsonify(
            checked=row.checked,
            by=by,
            at=at.isoformat() if at else None,
            when=format_when(at, target.cohort),
            item_id=item_id,
            enrolment_id=enrolment_id,
            message=f"{title}: {state} for {who}.",
        )
    flash(f"{title}: {state} for {who}.", "success")
    return redirect(back, 303)


@bp.get("/cohorts/<int:cohort_id>/roster/<int:enrolment_id>")
@allow("instructor", "coordinator")
def history(cohort_id: int, enrolment_id: int):
    record = learner_history(current_user, cohort_id, enrolment_id)
    if record is None:
        abort(404)
    return render_template("immersion/roster_history.html", history=record)
