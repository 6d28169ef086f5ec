"""Forms for enrolling from a CSV file: the upload, and the signed confirmation of a preview.

The confirmation carries the uploaded text itself, signed, so nothing is stored server-side
before a coordinator confirms, and an altered payload is refused.
"""

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import HiddenField
from wtforms.validators import DataRequired

from smresidency.cohorts.csv_import import CsvProblem

PREVIEW_MAX_AGE = 24 * 3600  # a preview older than a day is out of date anyway


class ImportUploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        description=(
            "Columns email, name and profession; department is optional. "
            "Comma, semicolon or tab separated; UTF-8 or Windows text."
        ),
        validators=[FileRequired("Choose a CSV file to upload.")],
        render_kw={"accept": ".csv,.tsv,.txt,text/csv,text/plain"},
    )


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="cohort-csv-import")


def sign(cohort_id: int, text: str, encoding: str) -> str:
    """The upload, signed and compressed, for the hidden field of the confirm form."""
    token = _signer().dumps({"c": cohort_id, "t": text, "e": encoding})
    if len(token) > current_app.config["MAX_FORM_MEMORY_SIZE"]:
        raise CsvProblem(
            "The file is too large to confirm in one go. Remove unneeded columns or split it."
        )
    return token


def unsign(token: str, cohort_id: int) -> tuple[str, str]:
    """The text and encoding of a signed upload for this cohort; CsvProblem if not genuine."""
    try:
        data = _signer().loads(token, max_age=PREVIEW_MAX_AGE)
    except SignatureExpired as err:
        raise CsvProblem("This preview is more than a day old. Upload the file again.") from err
    except BadSignature as err:
        raise CsvProblem(
            "The confirmation was altered or damaged, so nothing was enrolled. "
            "Upload the file again."
        ) from err
    if not isinstance(data, dict) or data.get("c") != cohort_id:
        raise CsvProblem("This confirmation belongs to another cohort. Upload the file again.")
    return data["t"], data["e"]
