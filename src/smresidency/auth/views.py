"""Sign-in, registration, sign-out and password pages: parse, call a service, render."""

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from smresidency.access import PUBLIC, SIGNED_IN, allow
from smresidency.auth import bp, devices, queries, registration, services
from smresidency.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from smresidency.auth.profile import ProfileForm, update_profile


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("catalog.home")


def _start_session(user) -> None:
    """A fresh session at every sign-in: nothing from before survives into it, and the
    device session this browser held until now ends (a new one opens at login_user)."""
    previous = getattr(current_user, "current_device", None)
    if previous is not None:
        devices.end_device(current_user, previous.id)
    session.clear()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(
            form.email.data, form.password.data, request.remote_addr or "-"
        )
        if result.user:
            _start_session(result.user)
            flash(f"Welcome back, {result.user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(result.message)
        if result.retry_after:
            page = _login_page(form)
            return page, 429, {"Retry-After": str(result.retry_after)}
    return _login_page(form)


def _login_page(form) -> str:
    """The sign-in page, with a button per configured identity provider and, unless SSO_ONLY,
    the password form."""
    from smresidency.sso import providers

    options = {"sso_providers": providers.configured(), "sso_only": current_app.config["SSO_ONLY"]}
    return render_template("auth/login.html", form=form, **options)


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        address = request.remote_addr or "-"
        if not registration.address_allowed(address):
            form.form_errors.append(REGISTER_THROTTLED)
            page = render_template("auth/register.html", form=form)
            return page, 429, {"Retry-After": str(registration.address_retry_after(address))}
        registration.request_registration(form.email.data, form.name.data, form.password.data)
        # the same page whether or not the address has an account: only its owner's mail says
        hours = current_app.config["REGISTER_CONFIRM_MAX_AGE"] // 3600
        return render_template("auth/register_sent.html", email=form.email.data, hours=hours)
    return render_template("auth/register.html", form=form)


REGISTER_THROTTLED = "Too many registrations from your address. Please wait an hour."


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def confirm_registration(token: str):
    # opening the link only shows a button: mail scanners that fetch links create nothing
    row = registration.pending(token)
    if row is None:
        return render_template("auth/register_invalid.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = registration.confirm(token)
        except services.AccountError:
            return render_template("auth/register_invalid.html"), 404
        _start_session(user)
        flash("Your account is ready. Welcome to the residency!", "success")
        return redirect(url_for("catalog.home"))
    return render_template("auth/register_confirm.html", form=form, email=row.email)


def _end_session() -> None:
    """Forget the signed-in user in this browser (the server side is ended by the caller)."""
    logout_user()
    session.clear()


@bp.post("/logout")
@allow(SIGNED_IN)
def logout():
    from smresidency.sso.services import end_session_url, provider_sign_out_page

    at_provider = end_session_url()  # read before the session is cleared
    services.sign_out(current_user._get_current_object())
    _end_session()
    flash("You are signed out.", "info")
    return redirect(provider_sign_out_page(at_provider) or url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@allow(SIGNED_IN)
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.AccountError as err:
            form.current.errors.append(str(err))
        else:
            _start_session(current_user._get_current_object())
            flash("Your password is changed. Other sessions have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, ProfileForm(obj=current_user))


def _account_page(form, profile, status: int = 200, email_form=None):
    from smresidency.auth.email_change import ChangeEmailForm

    return render_template(
        "auth/account.html",
        form=form,
        profile=profile,
        email_form=email_form or ChangeEmailForm(formdata=None),
        everywhere=ConfirmForm(),
        devices=queries.devices_of(current_user),
        this_device=current_user.current_device,
    ), status


@bp.post("/account/profile")
@allow(SIGNED_IN)
def profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(ChangePasswordForm(formdata=None), form, 422)
    user = current_user._get_current_object()
    update_profile(user, form.name.data, form.timezone.data, form.reminder_mail.data)
    flash("Your settings are saved.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/devices/<int:device_id>/sign-out")
@allow(SIGNED_IN)
def sign_out_device(device_id: int):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    user = current_user._get_current_object()
    if not devices.end_device(user, device_id):
        abort(404)
    if user.current_device is not None and user.current_device.id == device_id:
        _end_session()
        flash("You are signed out.", "info")
        return redirect(url_for("auth.login"))
    flash("That device is signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sign-out-everywhere")
@allow(SIGNED_IN)
def sign_out_everywhere():
    if ConfirmForm().validate_on_submit():
        services.end_all_sessions(current_user._get_current_object())
        _end_session()
        flash("You are signed out on every device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@allow(PUBLIC)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        address = request.remote_addr or "-"
        if not services.reset_allowed(form.email.data, address):
            form.form_errors.append(services.RESET_THROTTLED)
            wait = services.reset_retry_after(form.email.data, address)
            return render_template("auth/forgot.html", form=form), 429, {"Retry-After": str(wait)}
        services.request_password_reset(form.email.data)
        flash(
            "If an account uses that address, we have e-mailed it a link to reset the password.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def reset_password(token: str):
    if services.valid_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError:
            return render_template("auth/reset_invalid.html"), 404
        flash("Your password is reset. Please sign in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
