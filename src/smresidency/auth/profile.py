"""The learner's own settings: the name on certificates, their time zone, reminder mail."""

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from smresidency.extensions import db
from smresidency.text import NoControlCharacters, clean_name


@cache
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone this machine knows, sorted, after "the cohort's zone"."""
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("", "Use my cohort's time zone"), ("UTC", "UTC"), *((z, z) for z in names)]


class ProfileForm(FlaskForm):
    name = StringField(
        "Full name",
        description=(
            "Printed on your certificate. A certificate already issued keeps the name it was "
            "issued with unless staff re-issue it."
        ),
        filters=[clean_name],
        validators=[
            DataRequired(message="Enter your name."),
            Length(max=200),
            NoControlCharacters(),
        ],
    )
    timezone = SelectField(
        "Time zone",
        description="Times on your pages (quiz attempts, openings) are shown in this zone.",
        choices=[],
        validate_choice=True,
    )
    reminder_mail = BooleanField("Send me reminder e-mails about my progress")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()


def update_profile(user, name: str, timezone: str, reminder_mail: bool) -> list[str]:
    """Store the learner's settings; returns what changed, for the flash message. A new name
    is audited (before and after): it is what staff print on a re-issued certificate."""
    from smresidency.admin.audit import record

    changed = []
    before = user.name
    for field, value in (("name", name), ("timezone", timezone), ("reminder_mail", reminder_mail)):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    db.session.flush()
    if "name" in changed:
        record(user, "account.name", user, before={"name": before}, after={"name": user.name})
    return changed
