"""text_and_sanity (issue 20.2/20.5): names stored before the forms refused control characters

Names, cohort names and places, and departments written before 0012 may hold control
characters (a line break, a right-to-left override…) that the forms now refuse. They are
cleaned the way `smresidency.text.printable` prints them (a line break becomes a space,
other controls are removed, NFC), so pages show what certificates print. Issued certificates
keep their record as it was (their PDF and credential print it clean). No schema change.

Revision ID: 0012
Revises: 0011

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# A frozen copy of smresidency.text as of this revision: a migration must not change later.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BREAKS = frozenset("\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _unsafe(char: str) -> bool:
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _clean(text: str) -> str:
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in _BREAKS:
            if out and out[-1] != " ":
                out.append(" ")
        elif not _unsafe(char):
            out.append(char)
    return "".join(out).strip()


def _needs_cleaning(text: str | None) -> bool:
    return bool(text) and (
        any(_unsafe(c) for c in text) or not unicodedata.is_normalized("NFC", text)
    )


def _columns(table: str, *names: str) -> sa.TableClause:
    return sa.table(table, sa.column("id", sa.Integer), *(sa.column(n, sa.String) for n in names))


def _clean_column(conn, table: sa.TableClause, column: str, fallback: str) -> None:
    col = table.c[column]
    rows = conn.execute(sa.select(table.c.id, col)).all()
    for row_id, value in rows:
        if _needs_cleaning(value):
            cleaned = _clean(value) or fallback
            conn.execute(sa.update(table).where(table.c.id == row_id).values({column: cleaned}))


def upgrade():
    conn = op.get_bind()
    _clean_column(conn, _columns("user", "name"), "name", "Unnamed")
    _clean_column(conn, _columns("enrolment", "department"), "department", "")
    cohort = sa.table(
        "cohort",
        sa.column("id", sa.Integer),
        sa.column("course_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("place", sa.String),
    )
    _clean_column(conn, cohort, "place", "")
    rows = conn.execute(sa.select(cohort.c.id, cohort.c.course_id, cohort.c.name)).all()
    taken = {(course_id, name) for _, course_id, name in rows}
    for row_id, course_id, name in rows:
        if not _needs_cleaning(name):
            continue
        cleaned = _clean(name) or f"Cohort {row_id}"
        if (course_id, cleaned) in taken:  # (course, name) is unique
            cleaned = f"{cleaned} ({row_id})"
        taken.add((course_id, cleaned))
        conn.execute(sa.update(cohort).where(cohort.c.id == row_id).values(name=cleaned))


def downgrade():
    """The characters removed are not kept: there is nothing to put back, and no schema."""
