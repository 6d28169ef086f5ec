"""The immersion-day .ics invite: valid RFC 5545, in UTC, stable UID, SEQUENCE on a new date;
the event runs from the agenda's first session to its last, in the cohort's zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select

from smresidency.cohorts import csv_import, services
from smresidency.cohorts.models import Cohort
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.immersion.test_evidence import world as world  # the fixture

ICS = "/courses/social-media-residency/immersion/immersion-day.ics"
PAGE = "/courses/social-media-residency/immersion"


def event_of(response) -> icalendar.Event:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"\r\n" in response.data and all(
        len(line) <= 75 for line in response.data.split(b"\r\n")
    )
    calendar = icalendar.Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return event


def edit(app, cohort_id: int, **changes) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        fields = {
            k: getattr(cohort, k)
            for k in ("course_id", "name", "immersion_date", "timezone", "place", "capacity")
        }
        fields["online_link"] = cohort.online_link
        services.save_cohort(cohort, **{**fields, **changes})
        db.session.commit()


def test_the_learner_downloads_the_day_in_the_cohorts_zone(app, client, login_as, world):
    edit(
        app,
        world["cohort_a"],
        timezone="America/Chicago",
        place="Education centre, room 2; level 3",
        online_link="https://meet.example/residency",
    )
    with app.app_context():
        day = db.session.get(Cohort, world["cohort_a"]).immersion_date
    login_as(user=world["ann"])
    assert 'href="/courses/social-media-residency/immersion/immersion-day.ics"' in client.get(
        PAGE
    ).get_data(as_text=True)
    response = client.get(ICS)
    assert "attachment" in response.headers["Content-Disposition"]
    event = event_of(response)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    # immersion.md's agenda runs 08:30 to 16:45: those times in Chicago, written in UTC
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
    chicago = start.astimezone(ZoneInfo("America/Chicago"))
    assert (chicago.date(), f"{chicago:%H:%M}") == (day, "08:30")
    assert f"{end.astimezone(ZoneInfo('America/Chicago')):%H:%M}" == "16:45"
    assert "08:30 to 16:45 (America/Chicago)" in str(event["DESCRIPTION"]).replace("\n", " ")
    assert str(event["LOCATION"]) == "Education centre, room 2; level 3"
    assert "https://meet.example/residency" in str(event["DESCRIPTION"])
    assert "America/Chicago" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTAMP") <= datetime.now(UTC)


def test_uid_is_stable_and_sequence_rises_when_the_date_changes(app, client, login_as, world):
    login_as(user=world["ann"])
    first = event_of(client.get(ICS))
    again = event_of(client.get(ICS))
    assert first["UID"] == again["UID"] and int(first["SEQUENCE"]) == 0
    edit(app, world["cohort_a"], capacity=25)  # nothing the calendar shows
    assert int(event_of(client.get(ICS))["SEQUENCE"]) == 0
    with app.app_context():
        old_day = db.session.get(Cohort, world["cohort_a"]).immersion_date
    edit(app, world["cohort_a"], immersion_date=old_day + timedelta(days=7))
    moved = event_of(client.get(ICS))
    assert moved["UID"] == first["UID"]
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") - first.decoded("DTSTART") == timedelta(days=7)


def test_each_cohort_has_its_own_uid_and_others_get_none(app, client, login_as, world):
    login_as(user=world["ann"])
    spring = event_of(client.get(ICS))
    login_as(user=world["cat"])
    autumn = event_of(client.get(ICS))
    assert spring["UID"] != autumn["UID"]
    login_as(user=world["fay"])  # faculty, not enrolled
    assert client.get(ICS).status_code == 404


def test_the_invitation_mail_links_to_the_invite(app, client, login_as, world):
    with app.test_request_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        user = db.session.get(type(world["ann"]), world["ann"].id)
        csv_import._mail_welcome(user, cohort)
        db.session.commit()
        [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert f"http://localhost{ICS}" in mail.body
    login_as(user=world["ann"])
    event_of(client.get(ICS))


def test_the_day_follows_the_agenda_and_falls_back_without_one(app, client, login_as, world):
    from smresidency.catalog.models import Course

    edit(app, world["cohort_a"], timezone="Asia/Kolkata")  # +05:30, no daylight saving
    login_as(user=world["ann"])
    event = event_of(client.get(ICS))
    assert f"{event.decoded('DTSTART'):%H:%M}" == "03:00"  # 08:30 in Kolkata
    assert f"{event.decoded('DTEND'):%H:%M}" == "11:15"  # 16:45 in Kolkata
    with app.app_context():
        course = db.session.get(Course, db.session.get(Cohort, world["cohort_a"]).course_id)
        immersion = dict(course.immersion)
        course.immersion = {**immersion, "agenda": []}
        db.session.commit()
    event = event_of(client.get(ICS))
    assert f"{event.decoded('DTSTART'):%H:%M}-{event.decoded('DTEND'):%H:%M}" == "03:30-11:30"
