"""Joining through an invitation without an account: as on /register, the answer never says
whether the address has an account; the mailed link makes the account and joins the cohort."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from smresidency.access import PUBLIC, allow
from smresidency.auth import devices, registration
from smresidency.auth.forms import ConfirmForm, RegisterForm
from smresidency.catalog.models import Course
from smresidency.cohorts import bp, services
from smresidency.cohorts.forms import JoinForm
from smresidency.cohorts.models import Cohort
from smresidency.extensions import db


def join_by_mail(cohort: Cohort, token: str, form: JoinForm, register: RegisterForm):
    """Mail the link (or the owner's notice) and answer "check your e-mail"; None, with the
    reason on the form, when the cohort is full (true for anyone, so it tells nothing)."""
    address = request.remote_addr or "-"
    if not registration.address_allowed(address):  # as /register: the form again, and when
        form.form_errors.append("Too many registrations from your address. Please wait an hour.")
        course = db.session.get(Course, cohort.course_id)
        page = render_template(
            "cohorts/join.html", cohort=cohort, course=course, form=form, register=register
        )
        return page, 429, {"Retry-After": str(registration.address_retry_after(address))}
    if services.active_count(cohort.id) >= cohort.capacity:
        form.form_errors.append(f"{cohort.name} is full ({cohort.capacity} places).")
        return None
    invitation = registration.Invitation(
        cohort.id, cohort.name, token, form.profession.data or "", form.department.data or ""
    )
    registration.request_registration(
        register.email.data, register.name.data, register.password.data, invitation
    )
    hours = current_app.config["REGISTER_CONFIRM_MAX_AGE"] // 3600
    return render_template("auth/register_sent.html", email=register.email.data, hours=hours)


@bp.route("/join/<token>/confirm/<reg>", methods=["GET", "POST"])
@allow(PUBLIC)
def confirm_join(token: str, reg: str):
    """Opening the link shows a button (mail scanners create nothing); pressing it makes the
    account, signs it in and joins the cohort."""
    try:
        cohort = services.cohort_for_invite(token)
    except services.CohortError as err:
        return render_template("cohorts/join_invalid.html", message=str(err)), 404
    row = registration.pending(reg)
    if row is None or (row.invitation or {}).get("cohort_id") != cohort.id:
        return render_template("auth/register_invalid.html"), 404
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("auth/register_confirm.html", form=form, email=row.email)
    chosen = dict(row.invitation)
    try:
        user = registration.confirm(reg)
    except registration.AccountError:
        return render_template("auth/register_invalid.html"), 404
    _sign_in(user)
    try:
        services.enrol(cohort, user, chosen.get("profession", ""), chosen.get("department", ""))
    except services.CohortError as err:
        flash(f"Your account is ready, but you could not join {cohort.name}: {err}", "error")
        return redirect(url_for("catalog.home"))
    flash(f"Your account is ready. Welcome to {cohort.name}!", "success")
    course = db.session.get(Course, cohort.course_id)
    return redirect(url_for("learning.course", course_slug=course.slug))


def _sign_in(user) -> None:
    """A fresh session: whoever this browser was signed in as before is signed out."""
    previous = getattr(current_user, "current_device", None)
    if previous is not None:
        devices.end_device(current_user, previous.id)
    session.clear()
    login_user(user)
