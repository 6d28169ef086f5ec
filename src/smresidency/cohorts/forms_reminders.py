"""The reminder form: whom to remind and what to say; the same form previews and sends."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from smresidency.cohorts.reminders import PLACEHOLDERS
from smresidency.text import NoControlCharacters

NOBODY = "Choose at least one learner, or everyone at risk."


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class RemindForm(FlaskForm):
    # Any id may be posted; the view keeps only this cohort's unfinished learners.
    learners = SelectMultipleField("Learners", coerce=int, validate_choice=False)
    everyone_at_risk = BooleanField(
        "Everyone at risk",
        description="Adds every learner who is behind schedule for the immersion day.",
    )
    subject = StringField(
        "Subject",
        filters=[_one_line],
        validators=[DataRequired(), Length(max=300), NoControlCharacters()],
    )
    body = TextAreaField(
        "Message",
        description="These are filled in for each learner: "
        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        + ".",
        validators=[DataRequired(), Length(max=10_000)],
        render_kw={"rows": 14},
    )

    def validate(self, extra_validators=None) -> bool:
        """Besides the fields: somebody must be chosen."""
        valid = super().validate(extra_validators)
        if not self.learners.data and not self.everyone_at_risk.data:
            self.form_errors.append(NOBODY)
            return False
        return valid
