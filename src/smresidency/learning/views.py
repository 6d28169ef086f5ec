"""Course page, module page and "mark as read": parse, call a service or query, render."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from smresidency.access import SIGNED_IN, allow
from smresidency.auth.forms import ConfirmForm
from smresidency.learning import bp, queries, services
from smresidency.learning.fragments import (
    addresses,
    course_body,
    module_body,
)
from smresidency.quizzes.services import in_words


def _outline_or_404(course_slug: str) -> queries.Outline:
    outline = queries.course_outline(course_slug, current_user.id)
    if outline is None:
        abort(404)
    return outline


@bp.get("/<course_slug>")
@allow(SIGNED_IN)
def course(course_slug: str):
    user = current_user._get_current_object()  # one proxy lookup, not one per use
    outline = queries.course_outline(course_slug, user.id)
    if outline is None:
        abort(404)
    enrolment = queries.active_enrolment(user.id, outline.course.id)
    certificate = None
    if outline.finished:
        certificate = queries.certificate_for(user.id, outline.course.id)
    certified = certificate is not None and not certificate.revoked_at
    body = course_body(
        outline,
        certified=certified,
        enrolled=enrolment is not None,
        day_started=enrolment is not None and queries.immersion_started(enrolment),
        learner=user.has_role("learner"),
    )
    return render_template(
        "learning/course.html",
        outline=outline,
        body=body.fill(
            certificate=url_for("certificates.show", cert_id=certificate.id) if certified else "",
            description=Markup(outline.course.description_html or ""),  # noqa: S704 - sanitised HTML
        ),
    )


@bp.get("/<course_slug>/modules/<module_slug>")
@allow(SIGNED_IN)
def module(course_slug: str, module_slug: str):
    user = current_user._get_current_object()  # one proxy lookup, not one per use
    outline = queries.course_outline(course_slug, user.id)
    if outline is None:
        abort(404)
    state, prev, nxt = outline.find(module_slug)
    if state is None:
        abort(404)
    if state.status == "locked":
        return render_template("learning/locked.html", outline=outline, state=state), 403
    version = queries.lesson(state.version.id)
    attempts, standing, zone = [], None, None
    if version.has_quiz:
        from smresidency.quizzes.queries import attempts_and_zone, overrides_for
        from smresidency.quizzes.services import standing as quiz_standing

        # the cohort's zone comes with the attempts; times show only once there are some
        attempts, zone = attempts_and_zone(user.id, state.module.id, outline.course.id)
        overrides = overrides_for(user.id, state.module.id, attempts, version.quiz)
        standing = quiz_standing(attempts, version.quiz, overrides)
    if attempts:  # the learner's own zone wins
        zone = user.timezone or zone
    done = [a for a in attempts if a.submitted_at is not None]
    return render_template(
        "learning/module.html",
        outline=outline,
        state=state,
        version=version,
        body=module_body(outline, state, prev, nxt, standing),
        standing=standing,
        done=done,
        result_url=addresses("quizzes.result", "token", [a.token for a in done]) if done else {},
        zone=zone,
        in_words=in_words,
        staff_link=version.has_quiz and user.has_any_role(("instructor", "admin")),
    )


@bp.post("/<course_slug>/modules/<module_slug>/read")
@allow(SIGNED_IN)
def mark_read(course_slug: str, module_slug: str):
    outline = _outline_or_404(course_slug)
    state, _, nxt = outline.find(module_slug)
    if state is None:
        abort(404)
    if state.status == "locked" or not ConfirmForm().validate_on_submit():
        abort(403 if state.status == "locked" else 400)
    services.mark_read(current_user.id, state.version)
    if state.version.has_quiz:
        flash(
            f"“{state.version.title}” is marked as read. Its quiz completes the module.", "success"
        )
        return redirect(
            url_for(
                "learning.module", course_slug=course_slug, module_slug=module_slug, _anchor="quiz"
            )
        )
    flash(f"“{state.version.title}” is complete.", "success")
    target = nxt.module.slug if nxt else None
    if target:
        return redirect(url_for("learning.module", course_slug=course_slug, module_slug=target))
    return redirect(url_for("learning.course", course_slug=course_slug))
