"""Joining a cohort by its short code."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from smresidency.cohorts.forms import JoinForm


class CodeForm(JoinForm):
    code = StringField(
        "Cohort code",
        description="Seven characters, as your coordinator gave it, for example K7Q-4PM.",
        validators=[
            DataRequired(message="Type the code your coordinator gave you."),
            Length(max=20),
        ],
    )


class RotateForm(FlaskForm):
    """CSRF only: make or change the cohort's code."""
