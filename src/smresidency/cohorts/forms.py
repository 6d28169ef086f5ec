"""Cohort forms: the cohort itself, joining by invitation, and enrolment actions."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from smresidency.cohorts.models import PROFESSIONS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TimeZoneName:
    """An IANA time zone such as Europe/London."""

    def __call__(self, form, field):
        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValidationError(
                "Use a time zone name such as Europe/London or America/Chicago."
            ) from err


class WebLink:
    """Only http(s) links: nothing else belongs in an invitation e-mail or a page."""

    def __call__(self, form, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Enter a link starting with https://")


class CohortForm(FlaskForm):
    course_id = SelectField("Course", coerce=int, validators=[DataRequired()])
    name = StringField("Name", filters=[_strip], validators=[DataRequired(), Length(max=200)])
    immersion_date = DateField("Immersion day", validators=[DataRequired()])
    timezone = StringField(
        "Time zone",
        default="Europe/London",
        filters=[_strip],
        description="Where the immersion day happens, e.g. Europe/London.",
        validators=[DataRequired(), TimeZoneName()],
    )
    place = StringField("Place", filters=[_strip], validators=[Optional(), Length(max=300)])
    online_link = URLField(
        "Online link", filters=[_strip], validators=[Optional(), Length(max=500), WebLink()]
    )
    capacity = IntegerField(
        "Capacity",
        default=20,
        description="No more than 8 residents per faculty member is recommended.",
        validators=[InputRequired(), NumberRange(min=1, max=500)],
    )
    faculty = SelectMultipleField("Faculty (instructors)", coerce=int)
    coordinators = SelectMultipleField("Coordinators", coerce=int)


PROFESSION_CHOICES = [("", "Choose…")] + [(p, p.title()) for p in PROFESSIONS]


class JoinForm(FlaskForm):
    profession = SelectField("Profession", choices=PROFESSION_CHOICES, validators=[Optional()])
    department = StringField("Department", filters=[_strip], validators=[Length(max=200)])


class MoveForm(FlaskForm):
    target = SelectField("Move to", coerce=int, validators=[DataRequired()])
