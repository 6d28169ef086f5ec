"""Before → after per competency as a dot plot, drawn on the server like the dashboard's chart.

The geometry is computed here and the SVG written by a template, so the page needs no script;
the table beside it holds the same figures.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from smresidency.ratings.forms import SCALE

WIDTH = 560
LEFT, RIGHT, TOP, ROW, BOTTOM = 196, 64, 48, 36, 36
LOW, HIGH = SCALE[0][0], SCALE[-1][0]
MINUS = "\u2212"  # a real minus sign: read as "minus", and as wide as "+"


def two_places(value: Fraction | None, signed: bool = False) -> str:
    """2.50, or +2.00 / minus 0.50 for a change; half-up rounding of the exact value; — for none."""
    if value is None:
        return "—"
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    shown = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not signed or shown == 0:
        return f"{abs(shown) if shown == 0 else shown}"
    return f"+{shown}" if shown > 0 else f"{MINUS}{-shown}"


def short_label(competency: dict, number: int, limit: int = 22) -> str:
    """'3. Apply policy' from the competency id, short enough for the chart's left margin."""
    text = " ".join(str(competency["id"]).replace("_", "-").split("-")).strip().capitalize()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"{number}. {text}"


@dataclass
class Row:
    """One competency's line in the chart; a missing phase draws no dot."""

    label: str
    y: float
    x_pre: float | None
    x_post: float | None
    change: str | None


@dataclass
class RatingsChart:
    """Everything the template needs to draw the dot plot."""

    rows: list[Row]
    desc: str
    title: str = "Average self-rating before and after the residency"
    width: int = WIDTH
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP

    @property
    def baseline(self) -> int:
        return self.top + ROW * len(self.rows)

    @property
    def height(self) -> int:
        return self.baseline + BOTTOM

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(v, x_of(Fraction(v))) for v in range(LOW, HIGH + 1)]


def x_of(value: Fraction | None) -> float | None:
    """Horizontal position of a rating from 1 (left) to 5 (right)."""
    if value is None:
        return None
    return LEFT + (WIDTH - RIGHT - LEFT) * float(value - LOW) / (HIGH - LOW)


def _sentence(f) -> str:
    label = short_label(f.competency, f.number).split(". ", 1)[1]
    parts = [
        f"{two_places(f.mean_pre)} before" if f.pre else "no ratings before",
        f"{two_places(f.mean_post)} after" if f.post else "no ratings after",
    ]
    if f.changes:
        people = "learner" if len(f.changes) == 1 else "learners"
        parts.append(
            f"average change {two_places(f.mean_change, signed=True)} "
            f"for {len(f.changes)} {people} who rated both"
        )
    return f"{f.number}. {label}: {', '.join(parts)}."


def ratings_chart(figures: list) -> RatingsChart | None:
    """The chart for a cohort's figures, or None when nobody has rated anything."""
    if not any(f.pre or f.post for f in figures):
        return None
    rows = [
        Row(
            label=short_label(f.competency, f.number),
            y=TOP + ROW * i + ROW / 2,
            x_pre=x_of(f.mean_pre),
            x_post=x_of(f.mean_post),
            change=two_places(f.mean_change, signed=True) if f.changes else None,
        )
        for i, f in enumerate(figures)
    ]
    desc = (
        f"Average self-rating on {len(figures)} competencies, from {LOW} "
        f"({SCALE[0][1].lower()}) to {HIGH} ({SCALE[-1][1].lower()}): a hollow circle before "
        f"the residency, a filled circle after. " + " ".join(_sentence(f) for f in figures)
    )
    return RatingsChart(rows, desc)
