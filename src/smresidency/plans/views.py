"""Strategy plan pages: the learner's plan (edit, autosave, print, PDF) and faculty review."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import SIGNED_IN, allow
from smresidency.plans import bp, queries, services
from smresidency.plans.forms import DECISIONS, plan_form, review_form


def _course(course_slug: str):
    course = queries.course_by_slug(course_slug)
    if course is None or not (course.plan or {}).get("sections"):
        abort(404)
    return course


def _not_enrolled(course, status: int = 200):
    return render_template("plans/not_enrolled.html", course=course), status


def _render_edit(page, form, status: int = 200, refused: str | None = None):
    return render_template(
        "plans/edit.html", page=page, form=form, refused=refused, spec=page.spec
    ), status


@bp.route("/courses/<course_slug>/plan", methods=["GET", "POST"])
@allow(SIGNED_IN)
def edit(course_slug: str):
    course = _course(course_slug)
    page = queries.learner_plan(current_user, course)
    if page is None:
        return _not_enrolled(course, 404 if request.method == "POST" else 200)
    if request.method == "GET":
        sections = page.latest.sections if page.latest else {}
        return _render_edit(page, plan_form(page.spec, sections))
    form = plan_form(page.spec)
    if page.locked:
        return _render_edit(page, form, 409, refused=_locked_message(page))
    submitting = request.form.get("action") == "submit"
    valid = form.validate_on_submit()
    if not valid or (submitting and not form.require_every_section()):
        return _render_edit(page, form, 422)
    try:
        if submitting:
            services.submit(page.enrolment.id, form.sections(), form.section_ids)
        else:
            services.save_draft(page.enrolment.id, form.sections())
    except services.PlanConflict as err:
        return _render_edit(page, form, 409, refused=str(err))
    if submitting:
        flash("Your plan is submitted. Faculty will review it against the rubric.", "success")
    else:
        flash("Draft saved.", "success")
    return redirect(url_for("plans.edit", course_slug=course.slug))


def _locked_message(page) -> str:
    if page.state == "accepted":
        return "Your plan has been accepted, so it can no longer be changed."
    return "Your plan is with faculty for review, so it cannot be changed until they reply."


@bp.post("/courses/<course_slug>/plan/autosave")
@allow(SIGNED_IN)
def autosave(course_slug: str):
    course = queries.course_by_slug(course_slug)
    page = queries.learner_plan(current_user, course) if course and course.plan else None
    if page is None:
        return jsonify(error="You have no strategy plan in this course."), 404
    if page.locked:
        return jsonify(error=_locked_message(page)), 409
    form = plan_form(page.spec)
    if not form.validate_on_submit():
        return jsonify(error="The draft was not saved.", errors=form.errors), 422
    try:
        version = services.save_draft(page.enrolment.id, form.sections())
    except services.PlanConflict as err:
        return jsonify(error=str(err)), 409
    return jsonify(saved_at=version.saved_at.isoformat(), version=version.number)


@bp.get("/courses/<course_slug>/plan/print")
@allow(SIGNED_IN)
def print_view(course_slug: str):
    course = _course(course_slug)
    page = queries.learner_plan(current_user, course)
    if page is None:
        return _not_enrolled(course)
    return render_template(
        "plans/print.html", page=page, version=page.latest, spec=page.spec, staff=False
    )


@bp.get("/courses/<course_slug>/plan.pdf")
@allow(SIGNED_IN)
def pdf(course_slug: str):
    course = _course(course_slug)
    page = queries.learner_plan(current_user, course)
    if page is None:
        abort(404)
    from smresidency.plans.pdf import pdf_response  # fpdf loads only when a PDF is asked for

    return pdf_response(page, page.latest)


@bp.get("/cohorts/<int:cohort_id>/plans")
@allow("instructor", "coordinator")
def queue(cohort_id: int):
    found = queries.review_queue(current_user, cohort_id)
    if found is None:
        abort(404)
    return render_template("plans/queue.html", queue=found, labels=queries.STATE_LABELS)


def _staff_page(cohort_id: int, plan_id: int):
    page = queries.staff_plan(current_user, cohort_id, plan_id)
    if page is None:
        abort(404)
    return page


def _shown_version(page):
    """?version=N, else the newest submitted version, else the newest."""
    number = request.args.get("version")
    if number is None:
        return page.submitted_version or page.latest
    version = page.version(int(number)) if number.isdigit() else None
    if version is None:
        abort(404)
    return version


@bp.route("/cohorts/<int:cohort_id>/plans/<int:plan_id>", methods=["GET", "POST"])
@allow("instructor", "coordinator")
def review(cohort_id: int, plan_id: int):
    page = _staff_page(cohort_id, plan_id)
    can_review = queries.may_review(current_user, cohort_id)
    if request.method == "GET":
        form = None
        if can_review and page.state == "submitted":
            form = review_form(page.spec, data={"version": str(page.latest.number)})
        return _render_review(page, _shown_version(page), form, can_review)
    if not can_review:
        abort(403)
    form = review_form(page.spec)
    if page.state != "submitted":
        message = "Only a plan that is submitted for review can be reviewed."
        return _render_review(page, page.latest, None, can_review, 409, message)
    if not form.validate_on_submit():
        return _render_review(page, page.latest, form, can_review, 422)
    try:
        services.review(
            page.course,
            page.plan.id,
            int(form.version.data) if (form.version.data or "").isdigit() else None,
            current_user.id,
            form.decision.data,
            form.levels(),
            form.comments.data or "",
        )
    except services.RubricRefusal as err:  # keep the reviewer's scores on the page
        return _render_review(page, page.latest, form, can_review, 422, str(err))
    except services.PlanConflict as err:
        return _render_review(page, page.latest, None, can_review, 409, str(err))
    flash(f"Plan {DECISIONS[form.decision.data]}: {page.learner.name}.", "success")
    return redirect(url_for("plans.queue", cohort_id=cohort_id))


def _render_review(page, version, form, can_review, status=200, refused=None):
    return render_template(
        "plans/review.html",
        page=page,
        spec=page.spec,
        version=version,
        form=form,
        can_review=can_review,
        refused=refused,
    ), status


@bp.get("/cohorts/<int:cohort_id>/plans/<int:plan_id>.pdf")
@allow("instructor", "coordinator")
def review_pdf(cohort_id: int, plan_id: int):
    page = _staff_page(cohort_id, plan_id)
    from smresidency.plans.pdf import pdf_response  # fpdf loads only when a PDF is asked for

    return pdf_response(page, _shown_version(page))
