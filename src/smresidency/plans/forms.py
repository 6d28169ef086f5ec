"""Plan forms, built from the course's plan.md: one textarea per section, one rubric per review.

The sections and criteria come from content, so the form classes are made per request.
"""

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

SECTION_MAX_CHARS = 5000
COMMENTS_MAX_CHARS = 5000
DECISIONS = {"accept": "accepted", "return": "returned"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _normalise_newlines(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class MaxChars:
    """A length limit whose message says how far over the text is."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field: Field):
        size = len(field.data or "")
        if size > self.limit:
            raise ValidationError(
                f"Keep this to {self.limit:,} characters; it has {size:,} "
                f"({size - self.limit:,} too many)."
            )


def field_name(section_id: str) -> str:
    """The form field (and HTML id) of a plan section."""
    return f"section-{section_id}"


class _PlanFormBase(FlaskForm):
    """Shared behaviour of every plan form; the section fields are added per course."""

    section_ids: list[str] = []

    def sections(self) -> dict[str, str]:
        """The text of each section, keyed by section id."""
        return {sid: self[field_name(sid)].data or "" for sid in self.section_ids}

    def require_every_section(self) -> bool:
        """Submission needs every section written; mark each empty one. True when all are."""
        complete = True
        for sid in self.section_ids:
            field = self[field_name(sid)]
            if not (field.data or "").strip():
                field.errors = [*field.errors, "Write this section before you submit the plan."]
                complete = False
        return complete


def plan_form(plan_spec: dict, sections: dict | None = None, **kwargs) -> _PlanFormBase:
    """A form with one labelled textarea per section, its help text as the description."""
    spec_sections = plan_spec.get("sections", [])

    class PlanForm(_PlanFormBase):
        section_ids = [s["id"] for s in spec_sections]

    for s in spec_sections:
        setattr(
            PlanForm,
            field_name(s["id"]),
            TextAreaField(
                s["title"],
                description=s.get("help", ""),
                filters=[_normalise_newlines],
                validators=[MaxChars(SECTION_MAX_CHARS)],
                render_kw={"rows": 8},
            ),
        )
    data = {field_name(k): v for k, v in (sections or {}).items()}
    return PlanForm(data=data, **kwargs)


def criterion_field(criterion_id: str) -> str:
    """The radio group of one rubric criterion."""
    return f"level-{criterion_id}"


class _ReviewFormBase(FlaskForm):
    """Shared behaviour of every review form; the rubric groups are added per course."""

    criterion_ids: list[str] = []
    _criteria: list[dict] = []
    version = HiddenField()
    decision = RadioField(
        "Decision",
        choices=[("accept", "Accept the plan"), ("return", "Return it for revision")],
        validators=[InputRequired(message="Choose whether to accept or return the plan.")],
    )
    comments = TextAreaField(
        "Comments for the learner",
        filters=[_strip, _normalise_newlines],
        description="Required when you return the plan: say what to revise.",
        validators=[MaxChars(COMMENTS_MAX_CHARS)],
        render_kw={"rows": 6},
    )

    def validate_comments(self, field: Field) -> None:
        """A returned plan needs to say what to revise."""
        if self.decision.data == "return" and not field.data:
            raise ValidationError(
                "Say what to revise: comments are required when you return a plan."
            )

    def levels(self) -> dict[str, int]:
        """The chosen level index per criterion."""
        return {cid: int(self[criterion_field(cid)].data) for cid in self.criterion_ids}

    def rubric(self) -> list[tuple[dict, Field]]:
        """Each criterion with its radio group, in the rubric's order."""
        return [(c, self[criterion_field(c["id"])]) for c in self._criteria]


def review_form(plan_spec: dict, **kwargs) -> _ReviewFormBase:
    """A rubric form: for each criterion a required choice of one level, then comments."""
    criteria = plan_spec.get("criteria", [])
    levels = [(str(i), name) for i, name in enumerate(plan_spec.get("levels", []))]

    class ReviewForm(_ReviewFormBase):
        criterion_ids = [c["id"] for c in criteria]
        _criteria = criteria

    for c in criteria:
        setattr(
            ReviewForm,
            criterion_field(c["id"]),
            RadioField(
                c["title"],
                choices=levels,
                validators=[InputRequired(message="Choose a level for this criterion.")],
            ),
        )
    return ReviewForm(**kwargs)
