"""The immersion day as an iCalendar (RFC 5545) invite: one event per cohort, in UTC times.

The event runs from the first agenda session's start to the last one's end (immersion.md's
`## Agenda`), read in the cohort's zone; a course without an agenda falls back to 09:00-17:00.

The UID is stable per cohort, so a calendar that imports the file again updates the same event;
SEQUENCE (the cohort's calendar_sequence) rises whenever the date, zone or place changes.
"""

from datetime import UTC, datetime, time, timedelta

from flask import current_app, request, url_for

from smresidency.catalog.models import Course
from smresidency.cohorts.chart import long_date
from smresidency.cohorts.models import Cohort
from smresidency.cohorts.schedule import cohort_zone
from smresidency.db import utcnow
from smresidency.extensions import db

DAY_STARTS = time(9, 0)
DAY_ENDS = time(17, 0)


def _escape(text: str) -> str:
    """TEXT values escape backslash, semicolon, comma and newline (RFC 5545 3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after one space (3.1)."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _clock(text: str) -> time | None:
    """An agenda time ("08:30") as a time of day; None if the text is not one."""
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        return None


def agenda_hours(immersion: dict | None) -> tuple[time, time] | None:
    """First session's start and last session's end from the agenda, or None without one."""
    slots = (immersion or {}).get("agenda") or []
    if not slots:
        return None
    starts, ends = _clock(slots[0].get("start")), _clock(slots[-1].get("end"))
    if starts is None or ends is None or ends <= starts:
        return None
    return starts, ends


def hours(cohort: Cohort) -> tuple[datetime, datetime]:
    """The day's start and end in the cohort's own zone, from the course's agenda."""
    zone = cohort_zone(cohort)
    starts, ends = agenda_hours(cohort.course.immersion) or (
        current_app.config.get("IMMERSION_DAY_STARTS", DAY_STARTS),
        current_app.config.get("IMMERSION_DAY_ENDS", DAY_ENDS),
    )
    day = cohort.immersion_date
    return datetime.combine(day, starts, zone), datetime.combine(day, ends, zone)


def uid(cohort: Cohort) -> str:
    """One identifier per cohort for ever: re-imports update the event instead of adding one."""
    host = request.host.split(":")[0] if request else "smresidency"
    return f"immersion-day-cohort-{cohort.id}@{host}"


def invite(cohort: Cohort, course_title: str, page_url: str) -> str:
    """The .ics text of a cohort's immersion day, CRLF line ends, folded at 75 octets."""
    starts, ends = hours(cohort)
    site = current_app.config["SITE_NAME"]
    zone_name = cohort.timezone or "UTC"
    where = cohort.place or ("Online" if cohort.online_link else "To be announced")
    about = [
        f"{course_title}: the one-day immersion for {cohort.name}.",
        f"{long_date(cohort.immersion_date)}, {starts:%H:%M} to {ends:%H:%M} ({zone_name}).",
        f"Place: {where}.",
    ]
    if cohort.online_link:
        about.append(f"Join online: {cohort.online_link}")
    about.append(f"Your checklist for the day: {page_url}")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_escape(site)}//Immersion day//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid(cohort)}",
        f"SEQUENCE:{cohort.calendar_sequence or 0}",
        f"DTSTAMP:{_stamp(utcnow())}",
        f"DTSTART:{_stamp(starts)}",
        f"DTEND:{_stamp(ends)}",
        f"SUMMARY:{_escape(f'Immersion day: {cohort.name}')}",
        f"LOCATION:{_escape(where)}",
        f"DESCRIPTION:{_escape(chr(10).join(about))}",
        f"URL:{cohort.online_link or page_url}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_escape(f'Immersion day tomorrow: {cohort.name}')}",
        f"TRIGGER:-PT{int(timedelta(hours=24).total_seconds() // 3600)}H",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def calendar_link(cohort: Cohort) -> str:
    """The invite's address for mail: the learner's own immersion page serves it."""
    course = db.session.get(Course, cohort.course_id)
    return url_for("immersion.calendar", course_slug=course.slug, _external=True)
