"""Admin forms: people search, roles, new accounts, audit filters and site settings."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from smresidency.access import ROLES
from smresidency.admin.audit import ACTIONS
from smresidency.auth.forms import EmailAddress
from smresidency.text import NoControlCharacters, clean_name

ROLE_CHOICES = [(r, r.title()) for r in ROLES]
STATUS_CHOICES = [("", "Any status"), ("active", "Active"), ("disabled", "Disabled")]
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class Checkboxes(SelectMultipleField):
    """A group of checkboxes that submits a list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PeopleFilterForm(FlaskForm):
    """The search box and filters of the people page (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Name or e-mail", filters=[_strip], validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=[("", "Any role"), *ROLE_CHOICES], default="")
    status = SelectField("Status", choices=STATUS_CHOICES, default="")


class RolesForm(FlaskForm):
    """The roles a person should hold afterwards."""

    roles = Checkboxes("Roles", choices=ROLE_CHOICES)


class ConfirmForm(FlaskForm):
    """One-button actions: only the CSRF token."""

    confirm = BooleanField(default=True)


class NewPersonForm(FlaskForm):
    """A new account; the person sets their own password from the link we mail."""

    name = StringField(
        "Full name",
        description="As it should print on certificates.",
        filters=[clean_name],
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
    )
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[DataRequired(), EmailAddress(), Length(max=320)],
    )
    roles = Checkboxes("Roles", choices=ROLE_CHOICES, default=["learner"])

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError("Choose at least one role.")


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (GET)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[("", "Any action"), *ACTIONS.items()], default="")
    person = StringField(
        "Person (name or e-mail)", filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_with_white(colour: str) -> float:
    """White text on the accent colour must stay readable (buttons, the header)."""
    return 1.05 / (relative_luminance(colour) + 0.05)


class SettingsForm(FlaskForm):
    """Branding, certificate signer and footer pages."""

    organisation_name = StringField(
        "Organisation name",
        description="Shown in the header and footer, on certificates and as the mail sender.",
        filters=[clean_name],
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    logo = FileField("Logo (PNG or SVG, up to 512 KB)")
    remove_logo = BooleanField("Remove the logo")
    signer_name = StringField(
        "Certificate signer's name",
        filters=[clean_name],
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    signer_title = StringField(
        "Certificate signer's title",
        filters=[clean_name],
        validators=[Optional(), Length(max=200), NoControlCharacters()],
    )
    signature = FileField("Signature image (PNG or SVG, optional)")
    remove_signature = BooleanField("Remove the signature image")
    accent_colour = StringField(
        "Accent colour",
        description="A hex colour such as #0b5cab, dark enough for white text on it.",
        filters=[_strip],
        validators=[Optional(), Length(max=7)],
    )
    support_email = EmailField(
        "Support e-mail address",
        filters=[_strip],
        validators=[Optional(), EmailAddress(), Length(max=320)],
    )
    ce_contact_hours = StringField(
        "CE/CPD contact hours",
        description="Printed on new certificates; leave blank to use the course's hours.",
        filters=[_strip],
        validators=[Optional(), Length(max=12)],
    )
    ce_accreditation = TextAreaField(
        "Accreditation statement",
        description="The wording your accrediting body requires, printed on new certificates.",
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )
    ce_provider_id = StringField(
        "CE provider ID",
        filters=[_strip],
        validators=[Optional(), Length(max=100), NoControlCharacters()],
    )
    privacy_md = TextAreaField("Privacy notice (Markdown)", validators=[Length(max=50_000)])
    accessibility_md = TextAreaField(
        "Accessibility statement (Markdown)", validators=[Length(max=50_000)]
    )
    terms_md = TextAreaField("Terms of use (Markdown)", validators=[Length(max=50_000)])

    def validate_ce_contact_hours(self, field):
        if field.data:
            try:
                hours = float(field.data)
            except ValueError:
                hours = -1
            if not 0 < hours <= 1000:
                raise ValidationError("Enter the contact hours as a number, such as 6 or 6.5.")

    def validate_accent_colour(self, field):
        if not field.data:
            return
        if not HEX_COLOUR.match(field.data):
            raise ValidationError("Enter a colour as # and six hex digits, e.g. #0b5cab.")
        ratio = contrast_with_white(field.data)
        if ratio < 4.5:
            raise ValidationError(
                f"White text on this colour has a contrast of {ratio:.1f}:1; "
                "choose a darker colour (at least 4.5:1)."
            )
