"""The admin's form that registers a receiving endpoint."""

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, ValidationError, widgets
from wtforms.validators import DataRequired, Length

from smresidency.webhooks.models import EVENTS


def http_url(form, field):
    """Only http(s) addresses with a host."""
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("Enter an address starting with https:// (or http://).")


class EndpointForm(FlaskForm):
    """Where to send, and which events."""

    url = StringField("Receiving address", validators=[DataRequired(), Length(max=500), http_url])
    events = SelectMultipleField(
        "Events",
        choices=[(e, e) for e in EVENTS],
        validators=[DataRequired(message="Choose at least one event.")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
