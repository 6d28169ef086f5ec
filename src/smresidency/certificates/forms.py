"""Verification (by code or by credential file) and revocation forms."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    code = StringField(
        "Verification code",
        description="The 16-character code on the certificate, e.g. ABCD-EFGH-JKLM-NPQR.",
        validators=[DataRequired(), Length(min=16, max=40)],
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)])
    # "yes" only from the confirmation page: the first press only asks "are you sure?"
    confirmed = HiddenField()


class ReissueForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        description="For the audit log, e.g. “misspelt surname, reported by the holder”.",
        validators=[
            DataRequired(message="Say why the certificate is re-issued."),
            Length(max=1000),
        ],
    )


MAX_CREDENTIAL_BYTES = 256 * 1024  # a credential is a few kilobytes; nothing larger is one


class CredentialForm(FlaskForm):
    """A credential file a verifier holds: uploaded, or its text pasted."""

    file = FileField("Credential file (.jwt or .json)")
    text = TextAreaField(
        "Or paste its text",
        description="Open the file in a text editor and paste everything in it.",
        validators=[Length(max=MAX_CREDENTIAL_BYTES)],
    )

    def credential_text(self) -> str | None:
        """The file's text, else the pasted text; None (with a field error) when neither is."""
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            data = upload.read(MAX_CREDENTIAL_BYTES + 1)
            if len(data) > MAX_CREDENTIAL_BYTES:
                self.file.errors.append("This file is too large to be a credential.")
                return None
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                self.file.errors.append("This file is not a credential (it is not text).")
                return None
        if (self.text.data or "").strip():
            return self.text.data
        self.file.errors.append("Choose the credential file, or paste its text below.")
        return None
