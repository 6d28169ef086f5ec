"""The phase windows in the cohort's own time zone, exact averages, and the chart's geometry."""

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from smresidency.cohorts.models import Cohort
from smresidency.ratings.chart import ratings_chart, short_label, two_places, x_of
from smresidency.ratings.models import SelfRating
from smresidency.ratings.queries import summarise
from smresidency.ratings.services import window

DAY = date(2025, 3, 7)
COMPETENCIES = [
    {"id": "explain-value", "text": "I can explain."},
    {"id": "plan", "text": "I can plan."},
]


def cohort(zone: str) -> Cohort:
    return Cohort(immersion_date=DAY, timezone=zone)


@pytest.mark.parametrize(
    ("zone", "pre_open", "post_open"),
    [
        ("Pacific/Auckland", False, True),  # already 7 March, 01:00, there
        ("Europe/London", True, False),  # 6 March, noon
        ("America/Los_Angeles", True, False),  # 6 March, 04:00
    ],
)
def test_the_day_starts_in_the_cohorts_zone(zone, pre_open, post_open):
    now = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
    assert window("pre", cohort(zone), None, now).open is pre_open
    assert window("post", cohort(zone), None, now).open is post_open


def test_post_can_be_changed_until_the_end_of_the_local_day_it_was_given():
    given = SelfRating(phase="post", created_at=datetime(2025, 3, 7, 10, 0))  # naive, as SQLite
    london = cohort("Europe/London")
    assert window("post", london, given, datetime(2025, 3, 7, 23, 59, tzinfo=UTC)).open
    late = window("post", london, given, datetime(2025, 3, 8, 0, 1, tzinfo=UTC))
    assert not late.open and "7 March 2025" in late.message


def test_an_unknown_zone_counts_in_utc():
    now = datetime(2025, 3, 6, 23, 0, tzinfo=UTC)
    assert window("pre", cohort("Not/AZone"), None, now).open


def test_averages_before_and_after_use_everyone_but_change_uses_pairs():
    rows = [
        (1, "pre", {"explain-value": 2, "plan": 1}),
        (1, "post", {"explain-value": 4, "plan": 1}),
        (2, "pre", {"explain-value": 3, "plan": 5}),
        (2, "post", {"explain-value": 5}),
        (3, "pre", {"explain-value": 1, "plan": True}),  # a stray boolean is not a rating
        (4, "post", {"explain-value": 3, "plan": 7}),  # off the scale: ignored
    ]
    explain, plan = summarise(COMPETENCIES, rows)
    assert (explain.mean_pre, explain.mean_post, explain.mean_change) == (
        Fraction(2),
        Fraction(4),
        Fraction(2),
    )
    assert (len(explain.pre), len(explain.post), len(explain.changes)) == (3, 3, 2)
    assert plan.pre == [1, 5] and plan.post == [1] and plan.changes == [0]


def test_numbers_are_shown_to_two_places_rounded_half_up():
    assert two_places(None) == "—"
    assert two_places(Fraction(5, 2)) == "2.50"
    assert two_places(Fraction(2), signed=True) == "+2.00"
    assert two_places(Fraction(-5, 8), signed=True) == "\u22120.63"
    assert two_places(Fraction(1, 8)) == "0.13"
    assert two_places(Fraction(-1, 1000), signed=True) == "0.00"


def test_the_chart_places_before_and_after_on_the_one_to_five_scale():
    figures = summarise(
        COMPETENCIES,
        [(1, "pre", {"explain-value": 1, "plan": 3}), (1, "post", {"explain-value": 5})],
    )
    chart = ratings_chart(figures)
    first, second = chart.rows
    assert first.x_pre == chart.left and first.x_post == chart.right_edge
    assert first.change == "+4.00" and first.label == "1. Explain value"
    assert second.x_pre == x_of(Fraction(3)) and second.x_post is None and second.change is None
    assert first.y < second.y < chart.baseline < chart.height
    assert [v for v, _ in chart.ticks] == [1, 2, 3, 4, 5]
    assert "2. Plan: 3.00 before, no ratings after." in chart.desc


def test_no_ratings_no_chart_and_long_labels_are_shortened():
    assert ratings_chart(summarise(COMPETENCIES, [])) is None
    label = short_label({"id": "a-very-long-competency-identifier-indeed"}, 3)
    assert label.startswith("3. A very long") and label.endswith("…") and len(label) <= 25
