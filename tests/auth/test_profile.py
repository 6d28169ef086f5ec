"""The account page's own settings: name, time zone (used for the learner's times), reminders."""

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.extensions import db


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_account_page_changes_name_zone_and_reminder_choice(app, client, login_as):
    user = login_as("learner")
    page = _text(client.get("/account"))
    assert "Printed on your certificate." in page and "unless staff re-issue it" in page
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page
    assert "Where you are signed in" in page  # the devices list stays
    response = client.post(
        "/account/profile",
        data={"name": "  Dr Ada Lovelace ", "timezone": "America/Chicago"},  # box unticked
    )
    assert response.status_code == 302
    saved = _user(app, user.id)
    assert (saved.name, saved.timezone, saved.reminder_mail) == (
        "Dr Ada Lovelace",
        "America/Chicago",
        False,
    )


def test_bad_profile_input_re_renders_with_field_errors_and_changes_nothing(app, client, login_as):
    user = login_as("learner")
    response = client.post("/account/profile", data={"name": "", "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    page = _text(response)
    assert "Enter your name." in page and "Not a valid choice" in page
    saved = _user(app, user.id)
    assert (saved.name, saved.timezone, saved.reminder_mail) == (user.name, "", True)


def test_profile_post_needs_csrf(app, login_as, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        login_as("learner")
        assert client.post("/account/profile", data={"name": "X"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_learners_who_turn_reminders_off_are_not_in_the_roster(
    app, make_user, make_cohort, synced_course
):
    from smresidency.cohorts.models import Cohort
    from smresidency.cohorts.reminders import roster

    quiet, keen = make_user("learner"), make_user("learner")
    cohort_id, _ = make_cohort(synced_course, learners=[quiet, keen])
    with app.app_context():
        db.session.get(User, quiet.id).reminder_mail = False
        db.session.commit()
        emails = {learner.email for learner in roster(db.session.get(Cohort, cohort_id)).learners}
        assert emails == {keen.email}
        assert db.session.scalar(select(User.reminder_mail).where(User.id == keen.id)) is True
