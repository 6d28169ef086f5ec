"""Cohort administration: list, create, edit, people, invitations and joining by link."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import PUBLIC, allow
from smresidency.auth.forms import ConfirmForm, RegisterForm
from smresidency.auth.models import User
from smresidency.cohorts import bp, queries, services
from smresidency.cohorts.access import cohort_or_none
from smresidency.cohorts.forms import CohortForm, JoinForm, MoveForm
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.views_join import join_by_mail
from smresidency.extensions import db


def _managed(cohort_id: int) -> Cohort:
    return cohort_or_none(current_user, cohort_id, manage=True) or abort(404)


def _enrolment(cohort: Cohort, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        abort(404)
    return enrolment


def _people_url(cohort: Cohort) -> str:
    return url_for("cohorts.people", cohort_id=cohort.id)


@bp.get("/cohorts")
@allow("coordinator", "instructor")
def index():
    can_create = current_user.has_any_role(("coordinator", "admin"))
    return render_template(
        "cohorts/list.html", rows=queries.cohort_list(current_user), can_create=can_create
    )


def _fill_choices(form: CohortForm) -> None:
    form.course_id.choices = [(c.id, c.title) for c in queries.courses()]
    form.faculty.choices = [
        (u.id, f"{u.name} ({u.email})") for u in queries.users_with_role("instructor")
    ]
    form.coordinators.choices = [
        (u.id, f"{u.name} ({u.email})") for u in queries.users_with_role("coordinator")
    ]


def _save(form: CohortForm, cohort: Cohort | None) -> Cohort | None:
    """Apply a valid form; on a refusal, attach the message to the form and return None."""
    fields = {
        name: getattr(form, name).data
        for name in (
            "course_id",
            "name",
            "immersion_date",
            "timezone",
            "place",
            "capacity",
            "posting_mode",
        )
    }
    fields["online_link"] = form.online_link.data or ""
    fields["place"] = fields["place"] or ""
    coordinators = set(form.coordinators.data)
    if not current_user.has_role("admin"):
        coordinators.add(current_user.id)  # whoever runs it keeps access to it
    try:
        saved = services.save_cohort(cohort, **fields)
        people = {
            u.id: u
            for u in db.session.query(User).filter(User.id.in_([*form.faculty.data, *coordinators]))
        }
        services.set_staff(
            saved,
            [people[i] for i in form.faculty.data if i in people],
            [people[i] for i in sorted(coordinators) if i in people],
        )
    except services.CohortError as err:
        form.form_errors.append(str(err))
        return None
    return saved


@bp.route("/cohorts/new", methods=["GET", "POST"])
@allow("coordinator")
def create():
    form = CohortForm()
    _fill_choices(form)
    if form.validate_on_submit() and (cohort := _save(form, None)):
        flash(f"Cohort “{cohort.name}” is created. Invite people with its link.", "success")
        return redirect(_people_url(cohort))
    return render_template(
        "cohorts/form.html", form=form, cohort=None
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@allow("coordinator")
def edit(cohort_id: int):
    cohort = _managed(cohort_id)
    form = CohortForm(obj=cohort)
    _fill_choices(form)
    if request.method == "GET":
        staff = queries.staff_ids(cohort.id)
        form.faculty.data, form.coordinators.data = staff["faculty"], staff["coordinator"]
    if form.validate_on_submit() and _save(form, cohort):
        flash("The cohort is saved.", "success")
        return redirect(_people_url(cohort))
    return render_template(
        "cohorts/form.html", form=form, cohort=cohort
    ), 422 if form.errors or form.form_errors else 200


@bp.get("/cohorts/<int:cohort_id>/people")
@allow("coordinator")
def people(cohort_id: int):
    cohort = _managed(cohort_id)
    move = MoveForm()
    move.target.choices = [(c.id, c.name) for c in queries.sibling_cohorts(cohort, current_user)]
    return render_template(
        "cohorts/people.html",
        cohort=cohort,
        rows=queries.people(cohort.id),
        active=services.active_count(cohort.id),
        invite_url=url_for("cohorts.join", token=services.invite_token(cohort), _external=True),
        confirm=ConfirmForm(),
        move=move,
    )


@bp.post("/cohorts/<int:cohort_id>/invitations/revoke")
@allow("coordinator")
def revoke_invites(cohort_id: int):
    cohort = _managed(cohort_id)
    if ConfirmForm().validate_on_submit():
        services.revoke_invites(cohort)
        flash("Earlier invitation links no longer work. Share the new link below.", "success")
    return redirect(_people_url(cohort))


@bp.post("/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/<action>")
@allow("coordinator")
def enrolment_action(cohort_id: int, enrolment_id: int, action: str):
    cohort = _managed(cohort_id)
    enrolment = _enrolment(cohort, enrolment_id)
    try:
        if action == "withdraw" and ConfirmForm().validate_on_submit():
            services.withdraw(enrolment, current_user)
            flash("The learner is withdrawn; their progress is kept.", "success")
        elif action == "readmit" and ConfirmForm().validate_on_submit():
            services.readmit(enrolment, cohort, current_user)
            flash("The learner is back in the cohort.", "success")
        elif action == "move":
            form = MoveForm()
            form.target.choices = [
                (c.id, c.name) for c in queries.sibling_cohorts(cohort, current_user)
            ]
            if not form.validate_on_submit():
                abort(400)
            target = cohort_or_none(current_user, form.target.data, manage=True) or abort(404)
            services.move(enrolment, target, current_user)
            flash(f"The learner moved to {target.name}, with their progress.", "success")
        else:
            abort(404)
    except services.CohortError as err:
        flash(str(err), "error")
    return redirect(_people_url(cohort))


@bp.route("/join/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def join(token: str):
    try:
        cohort = services.cohort_for_invite(token)
    except services.CohortError as err:
        return render_template("cohorts/join_invalid.html", message=str(err)), 404
    join_form = JoinForm()
    register = None if current_user.is_authenticated else RegisterForm()
    if request.method == "POST":
        ok = join_form.validate_on_submit() and (register is None or register.validate())
        if ok and register is not None:
            sent = join_by_mail(cohort, token, join_form, register)
            if sent is not None:
                return sent
        elif ok:
            try:
                user = current_user._get_current_object()
                services.enrol(cohort, user, join_form.profession.data, join_form.department.data)
            except services.CohortError as err:
                join_form.form_errors.append(str(err))
            else:
                flash(f"Welcome to {cohort.name}!", "success")
                return redirect(url_for("learning.course", course_slug=_course_slug(cohort)))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "cohorts/join.html",
        cohort=cohort,
        course=_course(cohort),
        form=join_form,
        register=register,
    ), status


def _course(cohort: Cohort):
    from smresidency.catalog.models import Course

    return db.session.get(Course, cohort.course_id)


def _course_slug(cohort: Cohort) -> str:
    return _course(cohort).slug
