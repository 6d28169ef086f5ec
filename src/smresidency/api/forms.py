"""The form that creates a personal access token on the account page."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, NumberRange

from smresidency.api.models import SCOPES
from smresidency.text import NoControlCharacters


class NewTokenForm(FlaskForm):
    """Name, scopes and lifetime; the secret is shown once after a valid submit."""

    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=100), NoControlCharacters()],
        description="Which system uses it, e.g. 'HealthStream nightly import'.",
    )
    scopes = SelectMultipleField(
        "Scopes",
        choices=[(s, s) for s in SCOPES],
        validators=[DataRequired(message="Choose at least one scope.")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    days = IntegerField(
        "Valid for (days)", default=90, validators=[DataRequired(), NumberRange(1, 366)]
    )
