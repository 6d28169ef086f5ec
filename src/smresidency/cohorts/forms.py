"""Cohort forms: the cohort itself, joining by invitation, and enrolment actions."""

from datetime import date
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
from smresidency.cohorts.posting import DEFAULT_POSTING_MODE, POSTING_MODES
from smresidency.db import utcnow
from smresidency.text import NoControlCharacters, clean_name

PAST_YEARS = 1  # a cohort that has already met can still be recorded
FUTURE_YEARS = 3  # programmes are planned a year or two ahead, not decades


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


def _years_from(day: date, years: int) -> date:
    """The same day `years` later (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def immersion_date_problem(day: date, today: date | None = None) -> str | None:
    """Why a day cannot be an immersion day (a typo such as 0001-01-01), or None."""
    today = today or utcnow().date()
    first, last = _years_from(today, -PAST_YEARS), _years_from(today, FUTURE_YEARS)
    if first <= day <= last:
        return None
    when = "more than a year ago" if day < first else "more than three years ahead"
    return (
        f"Choose a day between {first.day} {first:%B %Y} and {last.day} {last:%B %Y}: {day} is "
        f"{when}, which is most likely a typing error."
    )


class ImmersionDay:
    """A sensible immersion day; a cohort keeps the day it already has when edited."""

    def __call__(self, form, field):
        if field.data is None or field.data == getattr(form, "kept_date", None):
            return
        problem = immersion_date_problem(field.data)
        if problem:
            raise ValidationError(problem)


class WebLink:
    """Only http(s) links: nothing else belongs in an invitation e-mail or a page."""

    def __call__(self, form, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Enter a link starting with https://")


class CohortForm(FlaskForm):
    course_id = SelectField("Course", coerce=int, validators=[DataRequired()])
    name = StringField(
        "Name",
        filters=[clean_name],
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
    )
    immersion_date = DateField("Immersion day", validators=[DataRequired(), ImmersionDay()])
    timezone = StringField(
        "Time zone",
        default="Europe/London",
        filters=[_strip],
        description="Where the immersion day happens, e.g. Europe/London.",
        validators=[DataRequired(), TimeZoneName()],
    )
    place = StringField(
        "Place",
        filters=[clean_name],
        validators=[Optional(), Length(max=300), NoControlCharacters()],
    )
    online_link = URLField(
        "Online link",
        filters=[_strip],
        validators=[Optional(), Length(max=500), NoControlCharacters(), WebLink()],
    )
    capacity = IntegerField(
        "Capacity",
        default=20,
        description="No more than 8 residents per faculty member is recommended.",
        validators=[InputRequired(), NumberRange(min=1, max=500)],
    )
    posting_mode = SelectField(
        "Posting on the immersion day",
        choices=list(POSTING_MODES.items()),
        default=DEFAULT_POSTING_MODE,
        description="The approved alternative to public posts on personal accounts, "
        "used for every posting exercise of this cohort.",
    )
    faculty = SelectMultipleField("Faculty (instructors)", coerce=int)
    coordinators = SelectMultipleField("Coordinators", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_date = getattr(kwargs.get("obj"), "immersion_date", None)


PROFESSION_CHOICES = [("", "Choose…")] + [(p, p.title()) for p in PROFESSIONS]


class JoinForm(FlaskForm):
    profession = SelectField("Profession", choices=PROFESSION_CHOICES, validators=[Optional()])
    department = StringField(
        "Department", filters=[clean_name], validators=[Length(max=200), NoControlCharacters()]
    )


class MoveForm(FlaskForm):
    target = SelectField("Move to", coerce=int, validators=[DataRequired()])
