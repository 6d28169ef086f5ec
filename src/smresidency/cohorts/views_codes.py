"""Joining a cohort by code (learners) and making or changing the code (its coordinators)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from smresidency.access import SIGNED_IN, allow
from smresidency.cohorts import bp, codes, services
from smresidency.cohorts.access import cohort_or_none
from smresidency.cohorts.forms_codes import CodeForm, RotateForm
from smresidency.extensions import db


@bp.route("/join", methods=["GET", "POST"])
@allow(SIGNED_IN)
def join_by_code():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            enrolment = codes.join(
                current_user._get_current_object(),
                form.code.data,
                form.profession.data,
                form.department.data,
            )
        except services.CohortError as err:
            form.code.errors = [*form.code.errors, str(err)]
        else:
            from smresidency.catalog.models import Course

            course = db.session.get(Course, enrolment.course_id)
            flash("Welcome to your cohort!", "success")
            return redirect(url_for("learning.course", course_slug=course.slug))
    status = 422 if form.errors else 200
    return render_template("cohorts/join_code.html", form=form), status


@bp.post("/cohorts/<int:cohort_id>/code")
@allow("coordinator")
def rotate_code(cohort_id: int):
    cohort = cohort_or_none(current_user, cohort_id, manage=True) or abort(404)
    if RotateForm().validate_on_submit():
        code = codes.rotate(cohort)
        flash(f"The cohort code is now {code}. The previous code no longer works.", "success")
    return redirect(url_for("cohorts.people", cohort_id=cohort.id) + "#code-heading")
