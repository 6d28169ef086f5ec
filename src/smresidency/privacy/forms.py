"""The erasure form: the admin types the person's e-mail address and notes the request."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from smresidency.text import NoControlCharacters


class EraseForm(FlaskForm):
    request_note = StringField(
        "The request",
        description="When and how they asked (kept in the audit log), e.g. “letter of 3 May”.",
        validators=[
            DataRequired(message="Note the request this erasure answers."),
            Length(max=300),
            NoControlCharacters(),
        ],
    )
    confirm_email = StringField(
        "Type the person's e-mail address to confirm",
        validators=[DataRequired(message="Type the e-mail address to confirm.")],
    )

    def __init__(self, *args, expected: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_confirm_email(self, field):
        from wtforms.validators import ValidationError

        if (field.data or "").strip().lower() != self.expected.lower():
            raise ValidationError("That is not this person's e-mail address.")
