"""One learner's record and the staff overrides on it (coordinator of the cohort, admin)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.cohorts import bp, overrides, queries, services
from smresidency.cohorts.access import cohort_or_none
from smresidency.cohorts.chart import long_date
from smresidency.cohorts.dashboard import learner_record
from smresidency.cohorts.forms_overrides import OverrideForm, override_choices


def _page(cohort_id: int, user_id: int, form: OverrideForm | None, status: int = 200):
    """The record page; the override form only for those who run this cohort."""
    record = learner_record(current_user, cohort_id, user_id)
    if record is None:
        abort(404)
    managed = form is not None or cohort_or_none(current_user, cohort_id, manage=True)
    if managed:
        siblings = queries.sibling_cohorts(record.cohort, current_user)
        form = form or OverrideForm()
        form.action.choices = override_choices(record, siblings)
    return render_template(
        "cohorts/learner.html", record=record, long_date=long_date, form=form if managed else None
    ), status


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>")
@allow("coordinator", "instructor")
def learner(cohort_id: int, user_id: int):
    return _page(cohort_id, user_id, None)


@bp.post("/cohorts/<int:cohort_id>/learners/<int:user_id>/override")
@allow("coordinator")
def override(cohort_id: int, user_id: int):
    cohort = cohort_or_none(current_user, cohort_id, manage=True) or abort(404)
    record = learner_record(current_user, cohort.id, user_id) or abort(404)
    siblings = queries.sibling_cohorts(cohort, current_user)
    form = OverrideForm()
    form.action.choices = override_choices(record, siblings)
    if not form.validate_on_submit():
        return _page(cohort_id, user_id, form, 422)
    kind, _, ref = form.action.data.partition(":")
    enrolment, reason = record.row.enrolment, form.reason.data
    try:
        if kind in overrides.QUIZ_KINDS:
            module = next(m for m, _c, _a in record.modules if str(m.id) == ref)
            overrides.grant_quiz(enrolment, module, kind, reason, current_user)
            flash(
                f"{overrides.QUIZ_KINDS[kind]}: {module.current.title}. The learner sees it.",
                "success",
            )
        else:
            target = next((c for c in siblings if str(c.id) == ref), None)
            overrides.change_enrolment(enrolment, cohort, kind, reason, current_user, target)
            flash("The enrolment is changed; the reason is in the audit log.", "success")
            if kind == "move":
                return redirect(url_for("cohorts.learner", cohort_id=target.id, user_id=user_id))
    except services.CohortError as err:
        form.action.errors = [str(err)]
        return _page(cohort_id, user_id, form, 422)
    return redirect(url_for("cohorts.learner", cohort_id=cohort.id, user_id=user_id))
