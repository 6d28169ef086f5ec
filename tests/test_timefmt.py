"""Times are shown in the cohort's zone (or the site's), with the zone named, never bare UTC."""

from datetime import UTC, datetime
from types import SimpleNamespace

from smresidency.timefmt import local_dt

WINTER = datetime(2026, 12, 5, 10, 35, tzinfo=UTC)
SUMMER = datetime(2026, 7, 5, 10, 35, tzinfo=UTC)


def test_a_cohort_zone_moves_the_clock_and_names_the_zone(app):
    with app.app_context():
        berlin = SimpleNamespace(timezone="Europe/Berlin")
        assert local_dt(WINTER, berlin) == "05 Dec 2026 11:35 CET"
        assert local_dt(SUMMER, berlin) == "05 Jul 2026 12:35 CEST"
        assert local_dt(WINTER, "America/Chicago", "%H:%M") == "04:35 CST"


def test_naive_values_from_sqlite_are_read_as_utc(app):
    with app.app_context():
        naive = WINTER.replace(tzinfo=None)
        assert local_dt(naive, "Asia/Tokyo", "%H:%M") == "19:35 JST"


def test_site_zone_setting_applies_without_a_cohort_and_bad_names_fall_back(app):
    with app.app_context():
        assert local_dt(WINTER) == "05 Dec 2026 10:35 UTC"
        app.config["TIMEZONE"] = "Australia/Sydney"
        assert local_dt(WINTER, None, "%H:%M") == "21:35 AEDT"
        assert local_dt(WINTER, SimpleNamespace(timezone="Not/AZone"), "%H:%M") == "10:35 UTC"
        assert local_dt(None) == ""


def test_a_time_is_formatted_once_per_zone_and_format(app, monkeypatch):
    """The same submission time shown again is not formatted again; another zone or format
    (or the site's zone changing) gives its own text."""
    from smresidency import timefmt

    monkeypatch.setattr(timefmt, "_FORMATTED", {})
    with app.app_context():
        first = local_dt(WINTER, "Europe/Berlin")
        assert local_dt(WINTER, "Europe/Berlin") is first
        assert len(timefmt._FORMATTED) == 1
        assert local_dt(WINTER, "Asia/Tokyo") == "05 Dec 2026 19:35 JST"
        assert local_dt(WINTER, "Europe/Berlin", "%H:%M") == "11:35 CET"
        assert local_dt(WINTER) == "05 Dec 2026 10:35 UTC"
        app.config["TIMEZONE"] = "Australia/Sydney"
        assert local_dt(WINTER) == "05 Dec 2026 21:35 AEDT"
        assert len(timefmt._FORMATTED) == 5
