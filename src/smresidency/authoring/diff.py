"""A side-by-side line diff of two texts, as rows a template can lay out in a table.

Pure: no Flask, no database. Long runs of unchanged lines fold into one "N unchanged lines"
row, keeping a few lines of context around each change, so a one-line edit in a long module
reads as a one-line edit.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 3  # unchanged lines shown on each side of a change


@dataclass(frozen=True)
class Row:
    """One line pair of the diff; `kind` is equal, replace, delete, insert, or gap.

    A gap row stands for `hidden` unchanged lines that are not shown.
    """

    left_number: int | None
    left_text: str
    right_number: int | None
    right_text: str
    kind: str
    hidden: int = 0

    @property
    def label(self) -> str:
        """What a gap row says."""
        return f"{self.hidden} unchanged line{'s' if self.hidden != 1 else ''}"


def lines_of(text: str | None) -> list[str]:
    """The lines of a text, without their line endings; none for an empty or missing text."""
    return (text or "").splitlines()


def diff_rows(left: str | None, right: str | None, context: int = CONTEXT) -> list[Row]:
    """Every row of the side-by-side diff, long unchanged stretches folded into gap rows."""
    return fold(all_rows(lines_of(left), lines_of(right)), context)


def all_rows(a: list[str], b: list[str]) -> list[Row]:
    """The full diff, one row per line pair, nothing folded."""
    rows: list[Row] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(Row(i + 1, a[i], j + 1, b[j], "equal") for i, j in _pairs(i1, i2, j1))
            continue
        lefts, rights = list(range(i1, i2)), list(range(j1, j2))
        for n in range(max(len(lefts), len(rights))):
            i = lefts[n] if n < len(lefts) else None
            j = rights[n] if n < len(rights) else None
            rows.append(_changed(a, b, i, j))
    return rows


def _pairs(i1: int, i2: int, j1: int):
    return ((i, j1 + (i - i1)) for i in range(i1, i2))


def _changed(a: list[str], b: list[str], i: int | None, j: int | None) -> Row:
    if i is None:
        return Row(None, "", j + 1, b[j], "insert")
    if j is None:
        return Row(i + 1, a[i], None, "", "delete")
    return Row(i + 1, a[i], j + 1, b[j], "replace")


def fold(rows: list[Row], context: int = CONTEXT) -> list[Row]:
    """Replace each long stretch of equal rows by a gap row, keeping `context` rows by changes.

    A stretch is only folded when that hides at least two lines: a gap row in place of a
    single line would take the same room and show less.
    """
    out: list[Row] = []
    start = 0
    while start < len(rows):
        if rows[start].kind != "equal":
            out.append(rows[start])
            start += 1
            continue
        end = start
        while end < len(rows) and rows[end].kind == "equal":
            end += 1
        out.extend(_fold_run(rows[start:end], context, first=start == 0, last=end == len(rows)))
        start = end
    return out


def _fold_run(run: list[Row], context: int, first: bool, last: bool) -> list[Row]:
    keep_before = 0 if first else context  # lines after the previous change
    keep_after = 0 if last else context  # lines before the next change
    hidden = len(run) - keep_before - keep_after
    if hidden < 2:
        return run
    gap = run[keep_before]
    row = Row(gap.left_number, "", gap.right_number, "", "gap", hidden=hidden)
    return [*run[:keep_before], row, *run[len(run) - keep_after :]]


def changed_lines(rows: list[Row]) -> int:
    """How many rows differ, for a summary above the table."""
    return sum(1 for r in rows if r.kind not in ("equal", "gap"))
