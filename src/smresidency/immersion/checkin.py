"""QR check-in: a signed code that changes every minute, the SVG that shows it, and its reads.

The code names the cohort and the minute it was shown in; it is accepted in that minute and
the next, so a learner who scans just before it changes still gets in. `now()` is the only
clock here, so tests can move it.
"""

import hashlib
import hmac
import io
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape
from sqlalchemy import and_, func, select

from smresidency.cohorts.access import taught_cohorts, with_course
from smresidency.cohorts.chart import long_date
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import cohort_zone
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.immersion.services import item_of_kind

SALT = "immersion-checkin"
WINDOW_SECONDS = 60
NOT_VALID = "This check-in code is not valid. Scan the code on the screen again."
EXPIRED = (
    "This check-in code has expired: it changes every minute. "
    "Scan the code on the screen again, or ask the faculty at the desk."
)
OTHER_COHORT = (
    "This code is for another cohort: you are not enrolled in it. "
    "Check that you are in the right room, or ask the faculty at the desk."
)
NO_ITEM = "This course's checklist has no check-in item. Faculty will check you in at the desk."
NOT_YET = (
    "Check-in opens on the immersion day, {day}. This code cannot be used before then: "
    "scan the code on the screen when you arrive."
)
CLOSED = (
    "Check-in closed at the end of the immersion day, {day}. "
    "If you were there, ask the faculty to check you in by hand."
)


def now() -> float:
    """Unix time in seconds: the one clock check-in codes read."""
    return time.time()


def window(at: float | None = None) -> int:
    """The minute a moment falls in; a code is valid in its own minute and the next."""
    return math.floor((now() if at is None else at) / WINDOW_SECONDS)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(cohort_id: int) -> str:
    """The code for a cohort in the current minute; short, so its URL can be typed."""
    return _serializer().dumps([cohort_id, window()])


# no 0/O, 1/I/L, so a code read off a projector across the room is typed right first time
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
WRONG_CODE = (
    "That code does not match the one on the screen for your cohort. It changes every minute: "
    "type the code shown now, or ask the faculty at the desk."
)


def short_code(cohort_id: int, shown_in: int | None = None) -> str:
    """Six characters a learner can type, for a cohort and minute; valid as long as its QR."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{SALT}:short:{cohort_id}:{window() if shown_in is None else shown_in}".encode()
    number = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def normalise_code(typed: str) -> str:
    """Upper case without the spaces or dashes people add when they type a code in parts."""
    return "".join(ch for ch in (typed or "").upper() if ch not in " -\t")


def cohort_for_code(user_id: int, typed: str) -> int:
    """The learner's cohort whose current (or previous minute's) code this is; refused if none.

    Only the cohorts the learner is actively enrolled in are tried: a code names no cohort.
    """
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH:
        raise CheckinRefused(f"Type the {CODE_LENGTH} characters shown on the screen.", 422)
    cohort_ids = db.session.scalars(
        select(Enrolment.cohort_id).where(
            Enrolment.user_id == user_id, Enrolment.status == "active"
        )
    ).all()
    current = window()
    for cohort_id in cohort_ids:
        for shown_in in (current, current - 1):
            if hmac.compare_digest(short_code(cohort_id, shown_in), code):
                return cohort_id
    raise CheckinRefused(WRONG_CODE, 422)


class CheckinRefused(Exception):
    """A check-in that cannot go ahead; the message is for the learner, with an HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def cohort_id_of(token: str) -> int:
    """The cohort a code is for, if it is genuine and current; CheckinRefused otherwise."""
    try:
        data = _serializer().loads(token)
    except BadSignature as err:
        raise CheckinRefused(NOT_VALID, 404) from err
    if not (isinstance(data, list) and len(data) == 2 and all(type(x) is int for x in data)):
        raise CheckinRefused(NOT_VALID, 404)
    cohort_id, shown_in = data
    current = window()
    if shown_in not in (current, current - 1):
        raise CheckinRefused(EXPIRED, 410)
    return cohort_id


def day_window(cohort: Cohort) -> tuple[datetime, datetime]:
    """When codes are accepted: the immersion day in the cohort's zone, widened on both sides
    by CHECKIN_GRACE_MINUTES (a learner arriving just before midnight, a clock a little off)."""
    zone = cohort_zone(cohort)
    starts = datetime.combine(cohort.immersion_date, clock_time.min, zone)
    ends = datetime.combine(cohort.immersion_date + timedelta(days=1), clock_time.min, zone)
    grace = timedelta(minutes=int(current_app.config.get("CHECKIN_GRACE_MINUTES", 60)))
    return starts - grace, ends + grace


def is_open(cohort: Cohort) -> bool:
    """Whether the cohort's codes are accepted at this moment."""
    opens, closes = day_window(cohort)
    return opens <= datetime.fromtimestamp(now(), UTC) < closes


def _on_the_day(cohort: Cohort) -> None:
    """CheckinRefused before the immersion day (403) and after it (410)."""
    opens, closes = day_window(cohort)
    moment = datetime.fromtimestamp(now(), UTC)
    if moment < opens:
        raise CheckinRefused(NOT_YET.format(day=long_date(cohort.immersion_date)), 403)
    if moment >= closes:
        raise CheckinRefused(CLOSED.format(day=long_date(cohort.immersion_date)), 410)


def qr_svg(data: str, title: str, label: str) -> Markup:
    """An inline SVG QR code of `data`: no style attributes, a title, and an accessible name."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        title=title,
        desc=f"A QR code that opens {data}",
        omitsize=True,
        svgclass="qr-code",
        lineclass="qr-line",
    )
    svg = out.getvalue().decode()
    # segno escapes the title and the description itself; the label is escaped here
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(named)  # noqa: S704


@dataclass
class Screen:
    """What the check-in screen shows: the cohort, its attendance item and the count so far."""

    cohort: Cohort
    item: dict | None
    checked_in: int
    expected: int
    open: bool = True
    grace_minutes: int = 0


def screen(user, cohort_id: int) -> Screen | None:
    """The check-in screen of a cohort this user teaches, or None; two statements."""
    cohort = db.session.scalar(with_course(taught_cohorts(user)).where(Cohort.id == cohort_id))
    if cohort is None:
        return None
    attendance = item_of_kind(cohort.course, "attendance")
    ticked = and_(
        CheckOff.enrolment_id == Enrolment.id,
        CheckOff.item_id == (attendance["id"] if attendance else ""),
        CheckOff.checked.is_(True),
    )
    expected, checked_in = db.session.execute(
        select(func.count(Enrolment.id), func.count(CheckOff.id))
        .select_from(Enrolment)
        .outerjoin(CheckOff, ticked)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
    ).one()
    grace = int(current_app.config.get("CHECKIN_GRACE_MINUTES", 60))
    return Screen(cohort, attendance, checked_in, expected, is_open(cohort), grace)


@dataclass
class Visit:
    """A learner holding a current code for a cohort they are in; `checked_at` once in."""

    cohort: Cohort
    enrolment: Enrolment
    item: dict
    checked_at: datetime | None


def visit(user, token: str, lock: bool = False) -> Visit:
    """Who is checking in where, read from the code; CheckinRefused says why not.

    `lock` (before a write) takes the enrolment row first, as faculty ticks do, so a check-in
    and a tick for the same learner queue instead of deadlocking.
    """
    cohort_id = cohort_id_of(token)
    cohort = db.session.scalar(with_course(select(Cohort)).where(Cohort.id == cohort_id))
    if cohort is None:
        raise CheckinRefused(NOT_VALID, 404)
    query = select(Enrolment).where(
        Enrolment.cohort_id == cohort_id,
        Enrolment.user_id == user.id,
        Enrolment.status == "active",
    )
    enrolment = db.session.scalar(query.with_for_update() if lock else query)
    if enrolment is None:
        raise CheckinRefused(OTHER_COHORT, 403)
    attendance = item_of_kind(cohort.course, "attendance")
    if attendance is None:
        raise CheckinRefused(NO_ITEM, 404)
    _on_the_day(cohort)
    row = db.session.scalar(
        select(CheckOff).where(
            CheckOff.enrolment_id == enrolment.id, CheckOff.item_id == attendance["id"]
        )
    )
    checked_at = row.updated_at if row is not None and row.checked else None
    return Visit(cohort, enrolment, attendance, checked_at)
