"""Times as people read them: in the cohort's (or the site's) zone, with the zone named."""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app


def zone_named(name: str | None) -> tzinfo:
    """The zone with this IANA name; UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def display_zone(where=None) -> tzinfo:
    """The zone to show a time in: a cohort's (anything with `.timezone`), a zone name, or
    the site's TIMEZONE setting."""
    if where is None:
        return zone_named(current_app.config.get("TIMEZONE"))
    if isinstance(where, str):
        return zone_named(where)
    return zone_named(getattr(where, "timezone", None))


def local_dt(moment: datetime | None, where=None, fmt: str = "%d %b %Y %H:%M") -> str:
    """`moment` in the zone for `where`, followed by the zone's short name (e.g. GMT, CET);
    each (moment, zone, format) is formatted once per process (a page lists the same
    submission times on every visit, and strftime asks the C library for the zone each time)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    zone = display_zone(where)
    key = (moment, zone, fmt)
    found = _FORMATTED.get(key)
    if found is None:
        local = moment.astimezone(zone)
        if len(_FORMATTED) >= FORMATTED_KEPT:
            _FORMATTED.clear()
        found = _FORMATTED[key] = f"{local.strftime(fmt)} {local.tzname()}"
    return found


FORMATTED_KEPT = 10_000
_FORMATTED: dict[tuple, str] = {}


def register_time_filters(app: Flask) -> None:
    """`{{ when|local_dt(cohort) }}` in every template."""
    app.jinja_env.filters["local_dt"] = local_dt
