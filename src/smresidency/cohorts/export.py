"""The grid as a table: the columns the page and the CSV share, and the CSV download itself.

The CSV adds the learner's e-mail and id after the name (docs/coordinators.md lists the order).

The CSV is UTF-8 with a byte-order mark (so Excel reads accents right), CRLF line endings, and
every cell that a spreadsheet would run as a formula is defused with a leading apostrophe.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Response

from smresidency.text import printable

if TYPE_CHECKING:
    from smresidency.catalog.models import Module
    from smresidency.cohorts.dashboard import Dashboard, Row

NONE = "—"
STATUS_RANK = {"locked": 0, "open": 1, "read": 2, "complete": 3}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A grid column: header, cell text (page and CSV alike), how it sorts (default: by text)."""

    key: str
    label: str
    text: Callable[["Row"], str]
    sort: Callable[["Row"], Any] | None = None
    sortable: bool = True
    note: str = ""
    css: Callable[["Row"], str] | None = None

    def sort_key(self, row: "Row"):
        """What this column sorts a row by."""
        return self.sort(row) if self.sort else self.text(row).casefold()


def _module_column(i: int, module: "Module") -> Column:
    def sort(r: "Row"):
        return STATUS_RANK[r.cells[i].status], r.cells[i].best or -1, r.cells[i].attempts

    return Column(
        f"module-{module.slug}",
        module.current.title,
        lambda r: r.cells[i].text,
        sort,
        css=lambda r: f"cell status-{r.cells[i].status}",
    )


def columns(modules: list["Module"]) -> list[Column]:
    """Every column of the grid, in order: learner, one per live module, then figures."""
    when = lambda r: r.last_activity.date().isoformat() if r.last_activity else ""  # noqa: E731
    return [
        Column("name", "Name", lambda r: r.user.name),
        Column("profession", "Profession", lambda r: r.enrolment.profession or NONE),
        Column("department", "Department", lambda r: r.enrolment.department or NONE),
        *[_module_column(i, m) for i, m in enumerate(modules)],
        Column("percent", "% complete", lambda r: f"{r.percent}%", lambda r: r.percent),
        Column("last-activity", "Last activity", lambda r: when(r) or NONE, when),
        Column(
            "immersion",
            "Immersion",
            lambda r: r.milestones.immersion_text,
            lambda r: r.milestones.required_done,
            note="Required checklist items ticked.",
        ),
        Column("plan", "Plan", lambda r: r.milestones.plan.title() or NONE),
        Column("certificate", "Certificate", lambda r: r.milestones.certificate_text),
        Column("status", "Enrolment", lambda r: r.enrolment.status.title()),
    ]


# Only in the CSV: who each row is, so namesakes are told apart and the file can be loaded
# elsewhere. The learner id is the account's id: it never changes, whatever else does.
IDENTITY = [
    Column("email", "E-mail", lambda r: r.user.email),
    Column("learner-id", "Learner id", lambda r: str(r.user.id)),
]


def csv_columns(board: "Dashboard") -> list[Column]:
    """The page's columns with the e-mail and the learner id right after the name."""
    return [board.columns[0], *IDENTITY, *board.columns[1:]]


def table(board: "Dashboard") -> list[list[str]]:
    """The header and the shown rows as text: the page's cells, and who each learner is."""
    cols = csv_columns(board)
    return [[c.label for c in cols]] + [[c.text(row) for c in cols] for row in board.shown]


def safe_cell(value: str) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ (or tab, CR) gets a quote.

    Control and bidi characters go first: a cell must read as what it says."""
    value = printable(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def slug(name: str, fallback: str) -> str:
    """An ASCII file-name part from a cohort name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or fallback


def progress_csv(board: "Dashboard") -> Response:
    """The dashboard's rows as a CSV download, with the page's columns, sort and filter."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_cell(v) for v in line] for line in table(board))
    name = slug(board.cohort.name, f"cohort-{board.cohort.id}")
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}-progress.csv"',
            "Cache-Control": "private, no-store",
        },
    )
