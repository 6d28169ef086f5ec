"""Account forms; password rules come from the one policy in passwords.py."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from smresidency.auth.passwords import MAX_LENGTH, password_problems
from smresidency.text import NoControlCharacters, clean_name


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def email_problem(address: str) -> str | None:
    """Why an address is not usable, or None; shared by the forms and the CLI."""
    try:
        validate_email(
            address,
            check_deliverability=False,
            globally_deliverable=False,
            test_environment=current_app.config["ENV"] != "production",
        )
    except EmailNotValidError as err:
        return f"Enter a valid e-mail address. {err}"
    return None


class EmailAddress:
    """Syntax only: intranet domains (hospital.local) are real; `.test` outside production."""

    def __call__(self, form, field):
        problem = email_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class NewPassword:
    """WTForms validator applying the NIST policy, with the other fields as context."""

    def __init__(self, *context_fields: str):
        self.context_fields = context_fields

    def __call__(self, form, field):
        context = [getattr(form, name).data or "" for name in self.context_fields]
        problems = password_problems(field.data or "", *context)
        if problems:
            raise ValidationError(" ".join(problems))


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail address", filters=[_strip], validators=[DataRequired(), Length(max=320)]
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class RegisterForm(FlaskForm):
    name = StringField(
        "Full name",
        filters=[clean_name],
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
    )
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[DataRequired(), EmailAddress(), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        description="At least 12 characters. A short sentence is easy to remember.",
        validators=[DataRequired(), NewPassword("email", "name")],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField(
        "New password",
        description="At least 12 characters. Every other session will be signed out.",
        validators=[DataRequired(), NewPassword()],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ForgotPasswordForm(FlaskForm):
    # Only looks an account up, so no format check: accounts made by `flask users create` or
    # `flask demo create` (example.test) may use addresses email-validator refuses.
    email = EmailField(
        "E-mail address", filters=[_strip], validators=[DataRequired(), Length(max=320)]
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 12 characters.",
        validators=[DataRequired(), NewPassword()],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""

    confirm = BooleanField(default=True)
