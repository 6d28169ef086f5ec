"""Erasure on request, from the admin's person page (privacy.erase)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.admin.views import bp
from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.privacy.erase import ErasureRefused, erase
from smresidency.privacy.forms import EraseForm


@bp.route("/admin/people/<int:user_id>/erase", methods=["GET", "POST"])
@allow("admin")
def erase_person(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EraseForm(expected=user.email)
    if form.validate_on_submit():
        try:
            erase(user, current_user._get_current_object(), form.request_note.data)
        except ErasureRefused as err:
            form.form_errors.append(str(err))
        else:
            flash("The person is erased: name, e-mail and free text are replaced.", "success")
            return redirect(url_for("admin.person", user_id=user_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/erase.html", user=user, form=form), status
