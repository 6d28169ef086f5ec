"""The admin blueprint and its people pages; the audit and site views add their rules below."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.admin import queries, services
from smresidency.admin.forms import ConfirmForm, NewPersonForm, PeopleFilterForm, RolesForm

bp = Blueprint("admin", __name__)


def page_number() -> int:
    """?page=N, anything else is page 1."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


def _me():
    return current_user._get_current_object()


@bp.get("/admin/")
@allow("admin")
def index():
    """Every admin page in one place."""
    return render_template("admin/index.html")


@bp.get("/admin/people")
@allow("admin")
def people():
    """Search and filter accounts, fifty to a page."""
    form = PeopleFilterForm(request.args)
    filters = {"q": "", "role": "", "status": ""}
    if form.validate():
        filters = {"q": form.q.data or "", "role": form.role.data, "status": form.status.data}
    found = queries.people(**filters, page=page_number())
    if found is None:
        abort(404)
    return render_template("admin/people.html", form=form, found=found, filters=filters)


@bp.route("/admin/people/new", methods=["GET", "POST"])
@allow("admin")
def new_person():
    """Create an account; its owner gets a link to choose the password."""
    form = NewPersonForm()
    if form.validate_on_submit():
        try:
            user = services.create_account(_me(), form.name.data, form.email.data, form.roles.data)
        except services.AdminRefusal as err:
            form.email.errors.append(str(err))
        else:
            flash(
                f"Account created. {user.email} has been sent a link to set a password.", "success"
            )
            return redirect(url_for("admin.person", user_id=user.id))
    return render_template("admin/new_person.html", form=form)


def _person_or_404(user_id: int):
    found = queries.person(user_id)
    if found is None:
        abort(404)
    return found


def _render_person(found, roles_form=None, status=200):
    roles_form = roles_form or RolesForm(roles=sorted(found.user.roles))
    page = render_template(
        "admin/person.html", person=found, roles_form=roles_form, confirm=ConfirmForm()
    )
    return page, status


@bp.get("/admin/people/<int:user_id>")
@allow("admin")
def person(user_id: int):
    """One account: roles, state, cohorts, certificates, last sign-in."""
    return _render_person(_person_or_404(user_id))


@bp.post("/admin/people/<int:user_id>/roles")
@allow("admin")
def set_roles(user_id: int):
    found = _person_or_404(user_id)
    form = RolesForm()
    if form.validate_on_submit():
        try:
            changed = services.change_roles(_me(), found.user, form.roles.data)
        except services.AdminRefusal as err:
            form.roles.errors.append(str(err))
        else:
            flash("Roles saved." if changed else "The roles were already so.", "success")
            return redirect(url_for("admin.person", user_id=user_id))
    return _render_person(found, form, 422)


@bp.post("/admin/people/<int:user_id>/<any(disable, enable):state>")
@allow("admin")
def set_active(user_id: int, state: str):
    found = _person_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_active(_me(), found.user, state == "enable")
        except services.AdminRefusal as err:
            flash(str(err), "error")
            return _render_person(found, status=422)
        if state == "enable":
            flash(f"{found.user.name}'s account is enabled.", "success")
        else:
            flash(f"{found.user.name}'s account is disabled and signed out everywhere.", "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/admin/people/<int:user_id>/reset-link")
@allow("admin")
def send_reset_link(user_id: int):
    found = _person_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.send_reset_link(_me(), found.user)
        except services.AdminRefusal as err:
            flash(str(err), "error")
            return _render_person(found, status=422)
        flash(f"A password-reset link has been sent to {found.user.email}.", "success")
    return redirect(url_for("admin.person", user_id=user_id))


from smresidency.admin import views_audit, views_erase, views_site  # noqa: E402, F401
