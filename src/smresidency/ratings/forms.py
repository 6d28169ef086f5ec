"""The rating form: one required five-point scale per competency, built from the course."""

from flask import request
from flask_wtf import FlaskForm
from wtforms import RadioField

SCALE = (
    (1, "Not at all confident"),
    (2, "Slightly confident"),
    (3, "Moderately confident"),
    (4, "Quite confident"),
    (5, "Very confident"),
)
MISSING = "Choose one of the five answers for this statement."


def field_name(competency_id: str) -> str:
    """Form field name for a competency; the prefix keeps ids clear of the CSRF field."""
    return f"c-{competency_id}"


class RatingsForm(FlaskForm):
    """Base class; `ratings_form` adds one radio group per competency."""

    competencies: list[dict] = []

    def scales(self) -> list[tuple[dict, RadioField]]:
        """Each competency with its field, in the course's order, for the template."""
        return [(c, self[field_name(c["id"])]) for c in self.competencies]

    def unanswered(self) -> list[tuple[dict, RadioField]]:
        """The statements with an error, for the summary at the top of the form."""
        return [(c, f) for c, f in self.scales() if f.errors]

    def ratings(self) -> dict[str, int]:
        """The validated answers: competency id -> 1..5."""
        return {c["id"]: f.data for c, f in self.scales()}


def ratings_form(competencies: list[dict], current: dict | None = None) -> RatingsForm:
    """A form for these competencies, prefilled with the learner's current ratings.

    Never prefilled on a submission: a statement left out must fail, not keep its old answer.
    """
    attrs = {"competencies": list(competencies)}
    for c in competencies:
        attrs[field_name(c["id"])] = RadioField(
            c["text"],
            choices=list(SCALE),
            coerce=int,
            invalid_choice_message=MISSING,
            invalid_value_message=MISSING,
        )
    form_class = type("CourseRatingsForm", (RatingsForm,), attrs)
    if request.method == "POST":
        return form_class()
    return form_class(data={field_name(k): v for k, v in (current or {}).items()})
