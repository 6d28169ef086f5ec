"""The dashboard's rows, kept in this process between requests while their database key holds.

Each learner's row is built (and its HTML rendered) once, then reused until its key changes.
The key is read from the database in one statement for the whole cohort: the progress
summary's random `version` (new on every recompute, i.e. every read, pass, tick, plan,
certificate or enrolment change), the learner's counts of quiz attempts, all and still open
(a failed attempt changes the best score and count without touching the summary), their own
columns, the content version, and the cohort's zone, immersion day and today. A change made
by any worker on any host therefore shows on the next load here; nothing is rendered in writes.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import get_template_attribute, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, func, select

from smresidency.auth.models import User
from smresidency.catalog.cache import VersionInfo, content_version, structure
from smresidency.cohorts import milestones
from smresidency.cohorts.dashboard import (
    Dashboard,
    Row,
    build_row,
    known_sort,
    learners_of,
    marks_of,
    quiz_figures,
    visible_cohort,
)
from smresidency.cohorts.export import Column, columns
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import local_today
from smresidency.db import database_key
from smresidency.extensions import db
from smresidency.learning.models import EnrolmentSummary
from smresidency.quizzes.models import QuizAttempt

ROW_TEMPLATE = "cohorts/dashboard_row.html"
TEMPLATE_VERSION = 1  # bump when dashboard_row.html or a column's text changes shape
MAX_ROWS = 5_000  # a process forgets every cached row past this many (a few KB each)

built: list[int] = []  # enrolment ids whose rows were built: tests prove a warm load builds none
rendered: list[int] = []  # enrolment ids whose row HTML was rendered, likewise


@dataclass(frozen=True)
class Person:
    """The learner's account columns a row shows."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Learner:
    """An enrolment's columns a row shows, detached from any session so a row can outlive it."""

    id: int
    user_id: int
    status: str
    profession: str | None
    department: str | None
    enrolled_at: datetime
    user: Person


@dataclass(frozen=True)
class LiveModule:
    """A live module as build_row and the columns read it, from the cached course structure."""

    id: int
    slug: str
    current: VersionInfo


@dataclass
class Entry:
    """A cached row, the key it was built under, and its HTML per set of visible columns."""

    key: tuple
    row: Row
    html: dict[tuple, Markup] = field(default_factory=dict)


_entries: dict[tuple[str, int], Entry] = {}
_cohorts: dict[tuple[str, int], tuple] = {}  # (keys read, rows, signature) of the last load
# (database, view, staff roles) -> (the inputs it was rendered for, the page's content): the
# latest only, so a page's content (some 70 KB for 50 learners) is kept once per view
_bodies: dict[tuple, tuple[tuple, Markup]] = {}
MAX_BODIES = 100


def _attempts(label: str, *where):
    """Quiz attempts per learner of the cohort, counted from an index alone (no table rows)."""
    in_cohort = select(Enrolment.user_id).where(Enrolment.cohort_id == bindparam("cohort_id"))
    return (
        select(QuizAttempt.user_id, func.count().label(label))
        .where(QuizAttempt.user_id.in_(in_cohort), *where)
        .group_by(QuizAttempt.user_id)
        .subquery()
    )


# every attempt (the user/module index) and the open ones (the partial unique index): starting
# an attempt moves the first, submitting it the second, so a failed attempt shows at once
_all = _attempts("attempts")
_open = _attempts("open", QuizAttempt.submitted_at.is_(None))
_LEARNERS = (
    select(
        Enrolment.id,
        Enrolment.user_id,
        Enrolment.status,
        Enrolment.profession,
        Enrolment.department,
        Enrolment.enrolled_at,
        User.name,
        User.email,
        EnrolmentSummary.version,
        _all.c.attempts,
        _open.c.open,
    )
    .join(User, User.id == Enrolment.user_id)
    .outerjoin(EnrolmentSummary, EnrolmentSummary.enrolment_id == Enrolment.id)
    .outerjoin(_all, _all.c.user_id == Enrolment.user_id)
    .outerjoin(_open, _open.c.user_id == Enrolment.user_id)
    .where(Enrolment.cohort_id == bindparam("cohort_id"))
    .order_by(Enrolment.id)
)


def live_modules(cohort: Cohort) -> list[LiveModule]:
    """The course's live modules from the per-process course cache (no statement when warm)."""
    found = structure(cohort.course.slug)
    if found is None:
        return []
    return [LiveModule(m.id, m.slug, v) for m, v in found.modules if not m.retired]


def _learner(rec) -> Learner:
    return Learner(rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], Person(rec[1], rec[6], rec[7]))


def cohort_rows(cohort: Cohort, modules: list[LiveModule], today: date) -> tuple[list[Row], str]:
    """Every enrolment's row, from the cache where its key holds, and the cohort's signature.

    One statement for the keys; a load with stale or new rows adds a fixed few for them."""
    url = database_key()
    base = (url, content_version(), cohort.id, cohort.timezone, cohort.immersion_date, today,
            TEMPLATE_VERSION)  # fmt: skip
    rows: dict[int, Row] = {}
    stale: list[tuple[Learner, tuple | None]] = []
    found = db.session.connection().execute(_LEARNERS, {"cohort_id": cohort.id})  # Core: no ORM
    records = [tuple(rec) for rec in found]
    last = _cohorts.get((url, cohort.id))
    if last is not None and last[0] == base and last[1] == records:
        return last[2], last[3]  # not one key moved: the same rows, compared in one go
    for rec in records:
        key = (base, rec)
        entry = _entries.get((url, rec[0]))
        if entry is not None and entry.key == key:
            rows[rec[0]] = entry.row
        else:  # no summary row yet (bulk-inserted data): build it every time, never cache
            stale.append((_learner(rec), key if rec[8] is not None else None))
    if stale:
        _build(cohort, modules, today, stale, rows)
    signature = hashlib.sha256(repr((base, records)).encode()).hexdigest()[:32]
    listed = list(rows.values())
    if all(key is not None for _, key in stale):
        _cohorts[(url, cohort.id)] = (base, records, listed, signature)
    return listed, signature


def _build(cohort, modules, today, stale, rows: dict[int, Row]) -> None:
    """Rows for the learners whose cached row is missing or stale: a fixed few statements."""
    users = [learner.user_id for learner, _ in stale]
    if len(stale) > 50:  # many: the cohort subquery is cheaper than a long list of ids
        users = learners_of(cohort.id)
    ids = [m.id for m in modules]
    marks, quiz = marks_of(users, ids), quiz_figures(users, ids)
    stones = milestones.for_cohort(cohort.id, cohort.course)
    required = len([i for i in (cohort.course.immersion or {}).get("items", [])
                    if i.get("required")])  # fmt: skip
    if len(_entries) > MAX_ROWS:
        _entries.clear()
    for learner, key in stale:
        row = build_row(learner, modules, marks, quiz, cohort, today)
        built.append(learner.id)
        row.milestones = stones.get(learner.id, row.milestones)
        row.milestones.required_total = required
        rows[learner.id] = row
        if key is not None:
            _entries[(database_key(), learner.id)] = Entry(key, row)


def row_html(board: Dashboard, row: Row) -> Markup:
    """The row's <tr>, rendered once per key and set of visible columns, then reused."""
    visible = board.grid_columns
    shape = tuple(c.key for c in visible)
    entry = _entries.get((database_key(), row.enrolment.id))
    if entry is not None and entry.row is row and shape in entry.html:
        return entry.html[shape]
    html = _render_row(board, row, visible)
    if entry is not None and entry.row is row:
        entry.html[shape] = html
    return html


def _render_row(board: Dashboard, row: Row, visible: list[Column]) -> Markup:
    rendered.append(row.enrolment.id)
    return get_template_attribute(ROW_TEMPLATE, "grid_row")(row, visible, board.cohort.id)


def cohort_grid(user, cohort_id: int, view, today: date | None = None) -> Dashboard | None:
    """The dashboard of a cohort this user may see, or None; a fixed number of statements."""
    cohort = visible_cohort(user, cohort_id)
    if cohort is None:
        return None
    today = today or local_today(cohort)
    modules = live_modules(cohort)
    rows, signature = cohort_rows(cohort, modules, today)
    cols = columns(modules)
    known_sort(cols, view)
    board = Dashboard(cohort, modules, cols, rows, view, today)
    board.signature = signature
    return board


def page_body(parts: tuple, render) -> Markup:
    """The dashboard's content for these inputs, rendered once and then reused.

    `parts` are the page's inputs (the board's signature, day, content version, cohort);
    the key adds the database, the view (the full query string) and the viewer's roles,
    which decide the tool links. The content has no form with a CSRF token, so it is the
    same for every viewer with these roles; the layout around it is rendered per request."""
    key = (database_key(), request.full_path, tuple(sorted(current_user.roles)))
    kept = _bodies.get(key)
    if kept is not None and kept[0] == parts:
        return kept[1]
    if len(_bodies) >= MAX_BODIES:
        _bodies.clear()
    body = Markup(render())  # noqa: S704 - a template, escaped by Jinja
    _bodies[key] = (parts, body)
    return body
