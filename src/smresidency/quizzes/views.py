"""Start, take and review quiz attempts; item analysis for instructors."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from smresidency.access import SIGNED_IN, allow
from smresidency.auth.forms import ConfirmForm
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.extensions import db
from smresidency.learning import queries as learning_queries
from smresidency.learning.queries import course_outline
from smresidency.quizzes import bp, queries, services
from smresidency.quizzes.grading import parse_answers
from smresidency.quizzes.presenting import attempt_questions, result_questions


def _module_url(course_slug: str, module_slug: str) -> str:
    return url_for("learning.module", course_slug=course_slug, module_slug=module_slug)


@bp.post("/courses/<course_slug>/modules/<module_slug>/quiz")
@allow(SIGNED_IN)
def start(course_slug: str, module_slug: str):
    outline = course_outline(course_slug, current_user.id)
    state = outline.find(module_slug)[0] if outline else None
    if state is None or not state.version.has_quiz:
        abort(404)
    if state.status == "locked":
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if state.status == "open":
        flash("Read the module and mark it as read before you take its quiz.", "error")
        return redirect(_module_url(course_slug, module_slug))
    attempts = queries.attempts_for(current_user.id, state.module.id)
    overrides = queries.overrides_for(
        current_user.id, state.module.id, attempts, state.version.quiz
    )
    try:
        attempt = services.start_attempt(current_user.id, state.version, attempts, overrides)
    except services.QuizClosed as closed:
        flash(str(closed), "error")
        return redirect(_module_url(course_slug, module_slug))
    return redirect(url_for("quizzes.take", token=attempt.token))


@bp.before_request
def read_before_write():
    """A submission reads and grades before it takes SQLite's write lock (services.begin_writes)."""
    if request.endpoint == "quizzes.take" and request.method == "POST":
        g.read_before_write = True


@bp.route("/quiz/<token>", methods=["GET", "POST"])
@allow(SIGNED_IN)
def take(token: str):
    if request.method == "POST":  # CSRFProtect checked the form's token before this view
        found = services.submission_for(current_user.id, token)
        if found is not None and found[0].submitted_at is None:
            attempt, version = found
            answers, missing = parse_answers(attempt.questions, version.quiz, request.form)
            if not missing:
                return _submitted(token, attempt, version, answers)
    view = queries.attempt_for(current_user.id, token) or abort(404)
    if view.attempt.submitted_at is not None:
        if request.method == "POST":
            flash("This attempt was submitted already; nothing was changed.", "info")
        return redirect(url_for("quizzes.result", token=token))
    answers, missing = {}, []
    if request.method == "POST":  # CSRFProtect checked the form's token before this view
        answers, missing = parse_answers(view.attempt.questions, view.version.quiz, request.form)
        if not missing:
            return _submitted(token, view.attempt, view.version, answers)
    questions = attempt_questions(view.version.quiz, view.attempt.questions, answers, missing)
    status = 422 if missing else 200
    return render_template(
        "quizzes/take.html", view=view, questions=questions, missing=missing, form=ConfirmForm()
    ), status


def _submitted(token: str, attempt, version, answers: dict):
    """Grade and record the answers, then show the result (a second submission changes nothing)."""
    if not services.submit_attempt(attempt, version, answers):
        flash("This attempt was submitted already; nothing was changed.", "info")
    return redirect(url_for("quizzes.result", token=token))


@bp.get("/quiz/<token>/result")
@allow(SIGNED_IN)
def result(token: str):
    view = queries.attempt_for(current_user.id, token) or abort(404)
    if view.attempt.submitted_at is None:
        return redirect(url_for("quizzes.take", token=token))
    attempts = queries.attempts_for(current_user.id, view.module.id)
    overrides = queries.overrides_for(current_user.id, view.module.id, attempts, view.version.quiz)
    standing = services.standing(attempts, view.version.quiz, overrides)
    quiz = view.version.quiz
    reveal = quiz.get("show_answers") == "after_pass" and standing.passed
    reveal = reveal or (
        quiz.get("show_answers") == "after_last_attempt" and (standing.passed or standing.exhausted)
    )
    questions = result_questions(quiz, view.attempt.questions, view.attempt.answers or {}, reveal)
    next_state, finished = None, False
    if view.attempt.passed:
        next_state, finished = learning_queries.after_module(
            view.course.slug, current_user.id, view.module.slug
        )
    return render_template(
        "quizzes/result.html",
        view=view,
        questions=questions,
        standing=standing,
        reveal=reveal,
        attempts=attempts,
        next_state=next_state,
        finished=finished,
        zone=(
            current_user.timezone or learning_queries.learner_zone(current_user.id, view.course.id)
            if standing.next_open_at
            else None
        ),
        in_words=services.in_words,
    )


@bp.get("/courses/<course_slug>/modules/<module_slug>/quiz/analysis")
@allow("instructor")
def analysis(course_slug: str, module_slug: str):
    row = db.session.execute(
        select(Module, Course)
        .join(Course, Course.id == Module.course_id)
        .where(Course.slug == course_slug, Module.slug == module_slug)
    ).first() or abort(404)
    module, course = row
    versions = db.session.scalars(
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module.id)
        .order_by(ModuleVersion.created_at.desc(), ModuleVersion.id.desc())
    ).all()
    wanted = request.args.get("version", type=int)
    current = next((v for v in versions if v.content_hash == module.current_hash), None)
    version = next((v for v in versions if v.id == wanted), current)
    if version is None or not version.has_quiz:
        abort(404)
    total, stats = queries.item_analysis(version)
    return render_template(
        "quizzes/analysis.html",
        course=course,
        module=module,
        version=version,
        versions=[v for v in versions if v.has_quiz],
        total=total,
        stats=stats,
    )
