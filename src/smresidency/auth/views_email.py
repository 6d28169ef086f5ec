"""Changing the e-mail address: ask on the account page, confirm from the mailed link."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import PUBLIC, SIGNED_IN, allow
from smresidency.auth import bp, email_change
from smresidency.auth.forms import ChangePasswordForm, ConfirmForm
from smresidency.auth.profile import ProfileForm


@bp.post("/account/email")
@allow(SIGNED_IN)
def change_email():
    from smresidency.auth.views import _account_page

    form = email_change.ChangeEmailForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        problem = email_change.request_change(user, form.new_email.data, form.password.data)
        if problem is None:
            flash(
                f"We have sent a confirmation link to {form.new_email.data.strip().lower()}. "
                "Your address changes when you open it.",
                "success",
            )
            return redirect(url_for("auth.account"))
        form.new_email.errors = [*form.new_email.errors, problem]
    return _account_page(
        ChangePasswordForm(formdata=None), ProfileForm(obj=current_user), 422, email_form=form
    )


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def confirm_email(token: str):
    try:
        user, new_email = email_change.pending(token)
    except email_change.EmailChangeError as err:
        return render_template("auth/email_confirm.html", problem=str(err)), 404
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            email_change.confirm(token)
        except email_change.EmailChangeError as err:
            return render_template("auth/email_confirm.html", problem=str(err)), 409
        flash(f"Your e-mail address is now {new_email}.", "success")
        return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
    return render_template("auth/email_confirm.html", new_email=new_email, user=user, form=form)
