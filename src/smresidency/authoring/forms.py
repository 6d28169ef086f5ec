"""Editor forms: a module's front matter as fields plus its Markdown; other files as one text."""

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from smresidency.text import NoControlCharacters, clean_name

MAX_TEXT = 200_000


def _newlines(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class EditorForm(FlaskForm):
    """What every editor posts: the text it started from (as a hash), and what to do."""

    opened = HiddenField(default="")
    preview = SubmitField("Preview")
    save = SubmitField("Save draft")
    publish = SubmitField("Publish")

    @property
    def action(self) -> str:
        for name in ("publish", "save", "preview"):
            if getattr(self, name).data:
                return name
        return "preview"


class ModuleForm(EditorForm):
    title = StringField(
        "Title",
        validators=[InputRequired(), Length(max=300), NoControlCharacters()],
        filters=[clean_name],
    )
    minutes = IntegerField(
        "Minutes",
        description="About how long the lesson and quiz take (1 to 600).",
        validators=[
            InputRequired("Give the minutes as a whole number."),
            NumberRange(1, 600, "Give a whole number of minutes from 1 to 600."),
        ],
    )
    objectives = TextAreaField(
        "Objectives",
        description="One per line: what a learner can do after this module.",
        filters=[_newlines],
        validators=[Length(max=5000)],
    )
    requires = SelectMultipleField(
        "Requires",
        description="Modules a learner must complete before this one opens.",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    body = TextAreaField(
        "Lesson and quiz (Markdown)",
        description="The lesson, then a `## Quiz` heading and its questions.",
        filters=[_newlines],
        validators=[Length(max=MAX_TEXT)],
    )

    def objective_list(self) -> list[str]:
        return [line.strip() for line in (self.objectives.data or "").split("\n") if line.strip()]


class PageForm(EditorForm):
    text = TextAreaField(
        "File text (Markdown with front matter)",
        filters=[_newlines],
        validators=[InputRequired(), Length(max=MAX_TEXT)],
    )
