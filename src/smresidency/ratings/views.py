"""The learner's own pre/post self-ratings, and the cohort's report of change."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import SIGNED_IN, allow
from smresidency.cohorts.chart import long_date
from smresidency.immersion.services import item_of_kind
from smresidency.ratings import bp, queries, services
from smresidency.ratings.chart import ratings_chart, two_places
from smresidency.ratings.forms import SCALE, ratings_form

PHASE_NAMES = {"pre": "before the residency", "post": "after the residency"}


@bp.route("/courses/<course_slug>/ratings/<any(pre, post):phase>", methods=["GET", "POST"])
@allow(SIGNED_IN)
def rate(course_slug: str, phase: str):
    page = queries.learner_ratings(current_user.id, course_slug)
    if page is None:
        abort(404)
    posting = request.method == "POST"
    if page.enrolment is None:
        html = render_template("ratings/not_enrolled.html", course=page.course)
        return html, 409 if posting else 200
    cohort, existing = page.enrolment.cohort, page.rows.get(phase)
    window = services.window(phase, cohort, existing)
    form = ratings_form(page.competencies, existing.ratings if existing else None)
    status, refusal = 200, None
    if posting:
        if not window.open:
            status, refusal = 409, window.message
        elif not form.validate_on_submit():
            status = 422
        else:
            try:
                services.save(
                    page.enrolment, cohort, page.course, phase, form.ratings(), current_user.id
                )
            except services.RatingsError as err:
                status, refusal = 409, str(err)
            else:
                flash(_saved_message(page.course, phase), "success")
                return redirect(url_for("ratings.rate", course_slug=course_slug, phase=phase))
    return render_template(
        "ratings/rate.html",
        page=page,
        phase=phase,
        phase_names=PHASE_NAMES,
        existing=existing,
        window=window,
        form=form,
        refusal=refusal,
        scale=SCALE,
        long_date=long_date,
    ), status


def _saved_message(course, phase: str) -> str:
    message = f"Your ratings {PHASE_NAMES[phase]} are saved."
    item = item_of_kind(course, "self-rating") if phase == "post" else None
    if item is not None:
        message += f" “{item['title']}” is ticked on your immersion checklist."
    return message


@bp.get("/cohorts/<int:cohort_id>/ratings")
@allow("coordinator", "instructor")
def report(cohort_id: int):
    data = queries.cohort_report(current_user, cohort_id)
    if data is None:
        abort(404)
    return render_template(
        "ratings/report.html",
        report=data,
        chart=ratings_chart(data.figures),
        two_places=two_places,
        long_date=long_date,
    )
