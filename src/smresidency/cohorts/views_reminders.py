"""Coordinators remind unfinished learners: choose and write, preview, send."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.cohorts import bp, reminders
from smresidency.cohorts.access import cohort_or_none
from smresidency.cohorts.forms_reminders import RemindForm

NOBODY_LEFT = "None of the chosen learners still needs a reminder."


def _roster(cohort_id: int) -> reminders.Roster:
    cohort = cohort_or_none(current_user, cohort_id, manage=True) or abort(404)
    return reminders.roster(cohort)


def _course_url(roster: reminders.Roster) -> str:
    return url_for("learning.course", course_slug=roster.course.slug, _external=True)


def _form_page(roster: reminders.Roster, form: RemindForm, status: int = 200):
    return render_template(
        "cohorts/remind.html",
        roster=roster,
        form=form,
        chosen={int(i) for i in form.learners.data or ()},
        window=reminders.window(),
    ), status


def _chosen(roster: reminders.Roster, form: RemindForm) -> list[reminders.Learner] | None:
    """The valid form's learners, or None with the form's errors set."""
    if not form.validate_on_submit():
        return None
    chosen = reminders.choose(roster.learners, form.learners.data, form.everyone_at_risk.data)
    if not chosen:
        form.form_errors.append(NOBODY_LEFT)
        return None
    return chosen


@bp.route("/cohorts/<int:cohort_id>/remind", methods=["GET", "POST"])
@allow("coordinator")
def remind(cohort_id: int):
    roster = _roster(cohort_id)
    if request.method == "GET":
        subject, body = reminders.default_message(roster, current_user.name, _course_url(roster))
        return _form_page(roster, RemindForm(subject=subject, body=body))
    form = RemindForm()
    if request.form.get("action") == "edit":
        return _form_page(roster, form)
    chosen = _chosen(roster, form)
    if chosen is None:
        return _form_page(roster, form, 422)
    recent = {r.user_id for r in chosen if reminders.recently_reminded(r)}
    example = next((r for r in chosen if r.user_id not in recent), chosen[0])
    subject, body = reminders.compose(
        roster, example, form.subject.data, form.body.data, _course_url(roster)
    )
    return render_template(
        "cohorts/remind_preview.html",
        roster=roster,
        form=form,
        chosen=chosen,
        recent=recent,
        example=example,
        subject=subject,
        body=body,
    )


@bp.post("/cohorts/<int:cohort_id>/remind/send")
@allow("coordinator")
def remind_send(cohort_id: int):
    roster = _roster(cohort_id)
    form = RemindForm()
    chosen = _chosen(roster, form)
    if chosen is None:
        return _form_page(roster, form, 422)
    outcome = reminders.send(
        roster,
        chosen,
        form.subject.data,
        form.body.data,
        _course_url(roster),
        kind="manual",
        sender=current_user,
    )
    return render_template("cohorts/remind_sent.html", roster=roster, outcome=outcome)
