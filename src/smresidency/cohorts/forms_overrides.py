"""The one form on a learner's record for staff overrides: what to do, and why."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from smresidency.text import NoControlCharacters


class OverrideForm(FlaskForm):
    action = SelectField(
        "Override", validators=[DataRequired(message="Choose what to change.")], choices=[]
    )
    reason = StringField(
        "Reason",
        description="Recorded in the audit log with your name.",
        validators=[
            DataRequired(message="Give a reason; it is kept in the audit log."),
            Length(max=500),
            NoControlCharacters(),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


def override_choices(record, siblings) -> list[tuple[str, str]]:
    """Every override that applies to this learner now, as select options."""
    choices = [("", "Choose…")]
    for module, cell, _attempts in record.modules:
        if cell.has_quiz and not cell.completed_at:
            title = module.current.title
            choices.append((f"extra_attempt:{module.id}", f"Grant one more attempt — {title}"))
            choices.append((f"clear_cooldown:{module.id}", f"Clear the cooldown — {title}"))
    if record.row.enrolment.status == "active":
        choices.append(("withdraw:", "Withdraw from the cohort"))
    else:
        choices.append(("readmit:", "Readmit to the cohort"))
    choices.extend((f"move:{c.id}", f"Move to {c.name}") for c in siblings)
    return choices
