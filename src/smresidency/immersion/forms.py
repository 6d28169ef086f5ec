"""Immersion forms: a learner's evidence link and a faculty member's review of it.

Several of these forms share one page, so each gets field ids of its own (no duplicate ids).
"""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, ValidationError

from smresidency.immersion.evidence import MAX_NOTE_LENGTH, url_problem
from smresidency.text import NoControlCharacters


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class WebAddress:
    """An absolute http(s) address with a host: nothing else is linked from faculty's queue."""

    def __call__(self, form, field):
        problem = url_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class EvidenceForm(FlaskForm):
    url = URLField(
        "Link to what you published",
        filters=[_strip],
        validators=[NoControlCharacters(), WebAddress()],
    )


class ReviewForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[("confirm", "Confirm"), ("return", "Return")],
        validate_choice=True,
    )
    note = TextAreaField(
        "Note to the learner",
        filters=[_strip],
        description="Needed when you return it: say what to change.",
        validators=[Length(max=MAX_NOTE_LENGTH)],
    )

    def validate_note(self, field):
        if self.decision.data == "return" and not field.data:
            raise ValidationError("Say what the learner should change before returning it.")


def _own_ids(form: FlaskForm, suffix: str, *names: str) -> FlaskForm:
    for name in names:
        f = form[name]
        f.id = f"{name}-{suffix}"
        f.label.field_id = f.id
    return form


# the example address each workshop's hint shows, chosen by a word in the item's id or title
EXAMPLE_ADDRESSES = (
    (("twitter", "live-chat", "chat"), "https://x.com/yourname/status/…"),
    (("facebook",), "https://www.facebook.com/yourpage/posts/…"),
    (("instagram",), "https://www.instagram.com/p/…"),
    (("pinterest", "pin"), "https://www.pinterest.com/yourname/your-board/"),
    (("blog",), "https://yourblog.example.org/2025/03/your-post"),
    (("video", "youtube"), "https://www.youtube.com/watch?v=…"),
    (("linkedin", "peer"), "https://www.linkedin.com/in/yourname/"),
)
GENERIC_EXAMPLE = "https://www.example.org/your-post"


def example_address(item_id: str, title: str = "") -> str:
    """A hint that fits the workshop: the platform the item is about, or a neutral address."""
    words = f"{item_id} {title}".lower()
    for keys, example in EXAMPLE_ADDRESSES:
        if any(key in words for key in keys):
            return example
    return GENERIC_EXAMPLE


def evidence_form(item_id: str, bound: bool = False, title: str = "") -> EvidenceForm:
    """The evidence form of one item; bound to the request only for the item just posted."""
    form = EvidenceForm() if bound else EvidenceForm(formdata=None)
    form.url.description = (
        f"The public address of your post, e.g. {example_address(item_id, title)}"
    )
    return _own_ids(form, item_id, "url")


def review_form(check_off_id: int, bound: bool = False) -> ReviewForm:
    """The review form of one piece of evidence."""
    form = ReviewForm() if bound else ReviewForm(formdata=None)
    return _own_ids(form, str(check_off_id), "note")


class CheckinCodeForm(FlaskForm):
    code = StringField(
        "Check-in code",
        filters=[_strip],
        description="The 6 characters under the QR code on the screen, e.g. K7P2MX.",
        validators=[DataRequired("Type the code shown on the screen."), Length(max=20)],
    )


class BulkConfirmForm(FlaskForm):
    """Only the CSRF token: the ticked ids are read as a list, every one checked in the query."""
