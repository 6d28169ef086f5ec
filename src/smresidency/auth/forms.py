"""Account forms; password rules come from the one policy in passwords.py."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from smresidency.auth.passwords import MAX_LENGTH, password_problems


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
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=320)],
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
    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=320)],
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
