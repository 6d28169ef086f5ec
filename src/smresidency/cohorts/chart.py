""" "Progress over time": a cohort's cumulative module completions per day, drawn on the server.

The numbers come from one aggregate statement; the geometry is computed here and the SVG is
written by a template, so the page needs no script and the data table says the same.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from smresidency.cohorts.dashboard import Dashboard, learners_of
from smresidency.db import database_key
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress

DAYS = 60
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 32


def long_date(day: date) -> str:
    """7 March 2025: unambiguous in every locale."""
    return f"{day.day} {day:%B %Y}"


@dataclass
class Chart:
    """Everything the template needs to draw the chart and its data table."""

    days: list[tuple[date, int]]  # cumulative completions at the end of each day
    points: list[tuple[float, float]]
    y_max: int
    title: str = "Progress over time"

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        """No module completed yet: a flat line at zero would read as a blank box."""
        return not any(total for _, total in self.days)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)

    @property
    def area(self) -> str:
        """The line closed down to the baseline, for a filled shape under it."""
        first, last = self.points[0][0], self.points[-1][0]
        return f"{first:.1f},{self.baseline} {self.polyline} {last:.1f},{self.baseline}"

    @property
    def y_ticks(self) -> list[tuple[int, float]]:
        values = sorted({0, self.y_max // 2, self.y_max})
        return [(v, self._y(v)) for v in values]

    @property
    def desc(self) -> str:
        (start, first), (end, last) = self.days[0], self.days[-1]
        return (
            f"Cumulative module completions by the cohort's active learners, per day from "
            f"{long_date(start)} to {long_date(end)}: {first} at the start, {last} at the end."
        )

    def _y(self, value: int) -> float:
        return self.baseline - (self.baseline - self.top) * value / (self.y_max or 1)


def progress_chart(per_day: dict[date, int], start: date, end: date) -> Chart:
    """Cumulative totals for each day from start to end, counting completions before start."""
    running = sum(n for day, n in per_day.items() if day < start)
    days = []
    for i in range((end - start).days + 1):
        day = start + timedelta(days=i)
        running += per_day.get(day, 0)
        days.append((day, running))
    chart = Chart(days, [], max(n for _, n in days))
    span = (chart.right_edge - LEFT) / max(len(days) - 1, 1)
    chart.points = [(LEFT + i * span, chart._y(n)) for i, (_, n) in enumerate(days)]
    return chart


def completions_per_day(cohort_id: int, module_ids: list[int]) -> dict[date, int]:
    """Completions of live modules by the cohort's active learners, per UTC day, in SQL."""
    moment = ModuleProgress.completed_at
    if db.session.get_bind().dialect.name == "postgresql":
        moment = func.timezone("UTC", moment)
    day = func.date(moment).label("day")
    rows = db.session.execute(
        select(day, func.count())
        .where(
            ModuleProgress.user_id.in_(learners_of(cohort_id, active_only=True)),
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.completed_at.is_not(None),
        )
        .group_by(day)
    ).all()
    return {d if isinstance(d, date) else date.fromisoformat(d): n for d, n in rows}


# (database, cohort id) -> (the board's signature and day, the chart drawn for them)
_drawn: dict[tuple[str, int], tuple[tuple, Chart]] = {}


def cohort_chart(board: Dashboard) -> Chart | None:
    """The last 60 days, or since the first active enrolment if that is later; None if nobody.

    Kept per process while the board's signature (every learner's summary version) and the
    day are the ones it was drawn for: a completion changes a summary, hence the signature."""
    if not board.active:
        return None
    place, key = (database_key(), board.cohort.id), (board.signature, board.today)
    cached = _drawn.get(place) if board.signature else None
    if cached is not None and cached[0] == key:
        return cached[1]
    first = min(r.enrolment.enrolled_at.date() for r in board.active)
    start = min(max(first, board.today - timedelta(days=DAYS - 1)), board.today)
    ids = [m.id for m in board.modules]
    chart = progress_chart(completions_per_day(board.cohort.id, ids), start, board.today)
    if board.signature:
        _drawn[place] = (key, chart)
    return chart
