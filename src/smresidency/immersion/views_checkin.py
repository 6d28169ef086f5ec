"""QR check-in: the faculty's projector screen, and the page a learner's scan opens."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import SIGNED_IN, allow
from smresidency.auth.forms import ConfirmForm
from smresidency.db import as_utc
from smresidency.immersion import bp, checkin, checkin_throttle, services
from smresidency.immersion.forms import CheckinCodeForm
from smresidency.immersion.roster import when

REFRESH_SECONDS = 20


def _render_screen(cohort_id: int, template: str):
    shown = checkin.screen(current_user, cohort_id)
    if shown is None:
        abort(404)
    url = url_for("immersion.checkin", token=checkin.token_for(cohort_id), _external=True)
    name = shown.cohort.name
    svg = checkin.qr_svg(
        url,
        title=f"Check-in code for {name}",
        label=f"QR code to check in to {name}. Scan it with your phone's camera.",
    )
    return render_template(
        template,
        screen=shown,
        url=url,
        svg=svg,
        code=checkin.short_code(cohort_id),
        code_url=url_for("immersion.checkin_code", _external=True),
        refresh=None if request.args.get("refresh") == "off" else REFRESH_SECONDS,
    )


@bp.get("/cohorts/<int:cohort_id>/checkin")
@allow("instructor")
def checkin_screen(cohort_id: int):
    return _render_screen(cohort_id, "immersion/checkin_screen.html")


@bp.get("/cohorts/<int:cohort_id>/checkin/projector")
@allow("instructor")
def checkin_projector(cohort_id: int):
    return _render_screen(cohort_id, "immersion/checkin_projector.html")


@bp.route("/checkin", methods=["GET", "POST"], endpoint="checkin_code")
@allow(SIGNED_IN)
def checkin_code_view():
    form = CheckinCodeForm()
    address = request.remote_addr or "-"
    wait = request.method == "POST" and checkin_throttle.retry_after(current_user.id, address)
    if wait:  # too many refused codes: a guess at the code waits like a wrong password does
        page = render_template("immersion/checkin_throttled.html", minutes=-(-wait // 60))
        return page, 429, {"Retry-After": str(wait)}
    if not form.validate_on_submit():
        return render_template("immersion/checkin_code.html", form=form), 422 if (
            request.method == "POST"
        ) else 200
    try:
        cohort_id = checkin.cohort_for_code(current_user.id, form.code.data)
    except checkin.CheckinRefused as err:
        checkin_throttle.record_refusal(current_user.id, address)
        form.code.errors = [str(err)]
        return render_template("immersion/checkin_code.html", form=form), 422
    return redirect(url_for("immersion.checkin", token=checkin.token_for(cohort_id)))


@bp.route("/checkin/<token>", methods=["GET", "POST"], endpoint="checkin")
@allow(SIGNED_IN)
def checkin_view(token: str):
    try:
        visit = checkin.visit(current_user, token, lock=request.method == "POST")
    except checkin.CheckinRefused as err:
        return render_template("immersion/checkin_refused.html", message=str(err)), err.status
    form = ConfirmForm()
    state, status = ("already" if visit.checked_at else "ready"), 200
    if request.method == "POST" and state == "ready":
        if form.validate_on_submit():
            row = services.set_checked(
                visit.enrolment.id, visit.item["id"], True, by_id=current_user.id, action="checkin"
            )
            visit.checked_at, state = row.updated_at, "done"
        else:
            status = 422
    return render_template(
        "immersion/checkin.html",
        visit=visit,
        form=form,
        state=state,
        at=when(as_utc(visit.checked_at), visit.cohort) if visit.checked_at else "",
    ), status
