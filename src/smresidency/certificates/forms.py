"""Verification and revocation forms."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    code = StringField(
        "Verification code",
        description="The 16-character code on the certificate, e.g. ABCD-EFGH-JKLM-NPQR.",
        validators=[DataRequired(), Length(min=16, max=40)],
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)])
