"""Bulk enrolment from a spreadsheet: decode, parse, plan row by row, then apply all or nothing.

Decoding and parsing are plain Python. Planning and applying use the session and only flush,
so the request boundary commits a whole upload or none of it.
"""

import codecs
import csv
import io
import secrets
from dataclasses import dataclass, field

from flask import current_app, url_for
from sqlalchemy import select

from smresidency.auth.forms import email_problem
from smresidency.auth.models import User, UserRole
from smresidency.auth.services import issue_reset_link, normalise_email
from smresidency.cohorts.models import PROFESSIONS, Cohort, Enrolment
from smresidency.cohorts.services import active_count, enrol
from smresidency.extensions import db
from smresidency.mail.services import send_mail
from smresidency.text import printable, refusal, unsafe_characters

OUTCOMES = (
    "added",
    "invited",
    "already enrolled",
    "enrolled elsewhere",
    "invalid e-mail",
    "unknown profession",
    "missing name",
    "invalid name",
    "duplicate row",
    "over capacity",
)
WRITES = ("added", "invited")
REQUIRED = ("email", "name", "profession")
HEADERS = {
    **dict.fromkeys(("email", "e-mail", "email address", "e-mail address", "mail"), "email"),
    **dict.fromkeys(("name", "full name"), "name"),
    "profession": "profession",
    **dict.fromkeys(("department", "dept"), "department"),
}
PROFESSION_WORDS = {
    **{p: p for p in PROFESSIONS},
    **{p + "s": p for p in PROFESSIONS},
    "clinical": "clinician",
    "educator": "education",
    "educators": "education",
    "manager": "management",
    "managers": "management",
    "communication": "communications",
    "support staff": "support",
}
FIELD_MAX = 200  # name and department columns of the database
WELCOME_LINK_DAYS = 7


class CsvProblem(Exception):
    """The file as a whole cannot be used; the message is safe to show and names the fix."""


@dataclass
class Result:
    """One data row, with the line it starts on and what happens (or happened) to it."""

    line: int
    email: str
    name: str
    profession: str
    department: str
    outcome: str = ""
    note: str = ""
    hidden: list[str] = field(default_factory=list)  # control characters in the name cell
    user: User | None = field(default=None, repr=False)


@dataclass
class Report:
    """The rows of one upload, the columns left out and how the file was read."""

    rows: list[Result]
    ignored: list[str]
    delimiter: str
    encoding: str

    def counts(self) -> list[tuple[str, int]]:
        """(outcome, count) for each outcome that occurs, in the order of OUTCOMES."""
        tally = {o: sum(r.outcome == o for r in self.rows) for o in OUTCOMES}
        return [(o, n) for o, n in tally.items() if n]

    @property
    def separator(self) -> str:
        """The delimiter in words, for the report."""
        return {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]

    def to_write(self) -> list[Result]:
        """The rows that confirming will enrol."""
        return [r for r in self.rows if r.outcome in WRITES]


# --- reading the file ---------------------------------------------------------------------


def decode(data: bytes, max_bytes: int) -> tuple[str, str]:
    """The file's text and the encoding it was read as: UTF-8 (BOM or not), else Windows-1252."""
    if len(data) > max_bytes:
        raise CsvProblem(
            f"The file is larger than {_size(max_bytes)}. Remove unneeded columns or split "
            "it into several files, then upload each one."
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvProblem(
            "This is a spreadsheet workbook, not a CSV file. In your spreadsheet program choose "
            "Save As (or Download) and pick “CSV UTF-8”, then upload that file."
        )
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, encoding = data.decode("utf-16"), "UTF-16"
        else:
            try:
                text, encoding = data.decode("utf-8-sig"), "UTF-8"
            except UnicodeDecodeError:
                text, encoding = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as err:
        raise CsvProblem("The file is not readable text. Save it as “CSV UTF-8”.") from err
    if "\x00" in text:
        raise CsvProblem("The file is not readable text. Save it as “CSV UTF-8”.")
    if not text.strip():
        raise CsvProblem("The file is empty.")
    return text, encoding


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n / 1024:g} KB" if n >= 1024 else f"{n} bytes"


def detect_delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (comma if none)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column positions by field, and the names of columns that will be ignored."""
    columns, ignored = {}, []
    for index, raw in enumerate(header):
        key = HEADERS.get(" ".join(raw.replace("_", " ").split()).lower())
        if key is None:
            if raw.strip():
                ignored.append(raw.strip())
        elif key in columns:
            raise CsvProblem(f"The column “{key}” appears twice in the first line. Keep one.")
        else:
            columns[key] = index
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        names = ", ".join(f"“{k}”" for k in missing)
        hint = (
            " It looks like a row of people: add a line of column names above it."
            if any("@" in cell for cell in header)
            else ""
        )
        raise CsvProblem(
            f"The first line must name the columns email, name and profession (department is "
            f"optional). Missing: {names}.{hint}"
        )
    return columns, ignored


def parse(text: str, max_rows: int, encoding: str = "UTF-8") -> Report:
    """Rows of people below a header line; blank lines are skipped, quoting follows RFC 4180."""
    if not text.strip():
        raise CsvProblem("The file is empty.")
    delimiter = detect_delimiter(next(line for line in text.splitlines() if line.strip()))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: dict[str, int] | None = None
    ignored: list[str] = []
    rows: list[Result] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                columns, ignored = _columns(record)
                continue
            if len(rows) == max_rows:
                raise CsvProblem(
                    f"The file has more than {max_rows} rows of people. Split it into several "
                    "files and upload each one."
                )
            cells = {k: record[i].strip() if i < len(record) else "" for k, i in columns.items()}
            rows.append(
                Result(
                    line,
                    cells["email"],
                    " ".join(printable(cells["name"]).split()),
                    cells["profession"],
                    " ".join(printable(cells.get("department", "")).split()),
                    hidden=unsafe_characters(cells["name"]),
                )
            )
    except csv.Error as err:
        raise CsvProblem(
            f"Line {start}: the file is not valid CSV ({err}). Check for a quote mark that is "
            "opened but never closed."
        ) from err
    if not rows:
        raise CsvProblem("The file names its columns but has no rows of people below them.")
    return Report(rows, ignored, delimiter, encoding)


def profession_of(raw: str) -> str | None:
    """The profession a person meant ("Clinicians", "COMMUNICATIONS"), or None."""
    return PROFESSION_WORDS.get(" ".join(raw.split()).lower())


# --- planning -----------------------------------------------------------------------------


def _users(emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    ordered = sorted(emails)
    for i in range(0, len(ordered), 500):  # stays under old SQLite's 999 parameters
        chunk = ordered[i : i + 500]
        found.update(
            (u.email, u) for u in db.session.scalars(select(User).where(User.email.in_(chunk)))
        )
    return found


def _enrolments(course_id: int, user_ids: list[int]) -> dict[int, tuple[Enrolment, str]]:
    """Each user's enrolment in the course, with the name of its cohort."""
    found = {}
    for i in range(0, len(user_ids), 500):
        query = (
            select(Enrolment, Cohort.name)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Enrolment.course_id == course_id, Enrolment.user_id.in_(user_ids[i : i + 500]))
        )
        found.update((e.user_id, (e, name)) for e, name in db.session.execute(query))
    return found


def plan(cohort: Cohort, report: Report) -> Report:
    """Decide every row's outcome against the database as it is now; writes nothing."""
    users = _users({normalise_email(r.email) for r in report.rows if r.email})
    enrolments = _enrolments(cohort.course_id, [u.id for u in users.values()])
    room = cohort.capacity - active_count(cohort.id)
    seen: dict[str, int] = {}
    for r in report.rows:
        email = r.email = normalise_email(r.email)
        problem = email_problem(email) if email else "No e-mail address."
        if problem:
            r.outcome, r.note = "invalid e-mail", problem
            continue
        if email in seen:
            r.outcome, r.note = "duplicate row", f"The same address is on line {seen[email]}."
            continue
        seen[email] = r.line
        if not r.name or len(r.name) > FIELD_MAX:
            r.outcome = "missing name"
            r.note = "No name given." if not r.name else f"Over {FIELD_MAX} characters."
            continue
        if r.hidden:
            r.outcome, r.note = "invalid name", refusal(r.hidden)
            continue
        profession = profession_of(r.profession)
        if profession is None:
            r.outcome = "unknown profession"
            r.note = f"Use one of: {', '.join(PROFESSIONS)}."
            continue
        r.profession = profession
        if len(r.department) > FIELD_MAX:
            r.department = r.department[:FIELD_MAX]
            r.note = f"Department shortened to {FIELD_MAX} characters. "
        r.user = users.get(email)
        existing, where = enrolments.get(r.user.id, (None, "")) if r.user else (None, "")
        if existing and existing.status == "active":
            if existing.cohort_id == cohort.id:
                r.outcome, r.note = "already enrolled", f"Already in {cohort.name}."
            else:
                r.outcome = "enrolled elsewhere"
                r.note = f"In {where}; not moved. Use Move to change their cohort."
            continue
        if room <= 0:
            r.outcome, r.note = "over capacity", f"No places left ({cohort.capacity} in all)."
            continue
        room -= 1
        r.outcome = "added" if r.user else "invited"
        r.note += _write_note(r, existing, where)
    return report


def _write_note(r: Result, existing: Enrolment | None, where: str) -> str:
    if r.user is None:
        return "New account; they are e-mailed a link to set their password."
    if not r.user.active:
        return "This account is disabled: enrolled, but cannot sign in until re-enabled."
    if existing:
        return f"Was withdrawn from {where}; rejoins here."
    return "Has an account."


def preview(cohort: Cohort, text: str, encoding: str) -> Report:
    """Parse and plan an upload; writes nothing."""
    return plan(cohort, parse(text, current_app.config["CSV_MAX_ROWS"], encoding))


# --- applying -----------------------------------------------------------------------------


def run_import(cohort: Cohort, text: str, encoding: str, by: User) -> Report:
    """Re-plan against the current state, then enrol every added and invited row.

    Raises on the first failure; the caller's transaction then rolls back every row.
    """
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    report = preview(cohort, text, encoding)
    invited = []
    for r in report.to_write():
        if r.outcome == "invited":
            r.user = _new_account(r.email, r.name)
            invited.append(r.user)
        enrol(cohort, r.user, r.profession, r.department, by=by)
    for user in invited:  # last, so no mail goes out for an import that fails half-way
        _mail_welcome(user, cohort)
    return report


def _new_account(email: str, name: str) -> User:
    """A learner account nobody can sign in to until the welcome link sets a password.

    The "!" hash never verifies (as Django's unusable passwords), and costs no argon2 per row.
    """
    user = User(email=email, name=name, password_hash="!" + secrets.token_urlsafe(32))
    user.role_rows = [UserRole(role="learner")]
    db.session.add(user)
    db.session.flush()
    return user


def _mail_welcome(user: User, cohort: Cohort) -> None:
    """A single-use set-your-password link, through the password-reset mechanism; with
    SSO_ONLY (reset refused) the sign-in page, where the hospital account signs in."""
    from smresidency.immersion.calendar import calendar_link  # the immersion blueprint's URL

    site = current_app.config["SITE_NAME"]
    day = cohort.immersion_date
    if current_app.config["SSO_ONLY"]:  # no passwords here: the hospital account signs in
        subject = f"Welcome to {site}"
        how = (
            "Sign in with your hospital account on this page:\n\n"
            f"{url_for('auth.login', _external=True)}\n\n"
        )
    else:
        link = issue_reset_link(user, WELCOME_LINK_DAYS * 86400)
        subject = f"Welcome to {site}: set your password"
        how = (
            f"Open this link within {WELCOME_LINK_DAYS} days to choose your password:\n\n"
            f"{link}\n\nThe link works once. If it has expired, use “Forgot your password?” "
            "on the sign-in page.\n\n"
        )
    send_mail(
        user.email,
        subject,
        f"Hello {printable(user.name)},\n\nYou have been enrolled in {printable(cohort.name)}; "
        "the immersion day is "
        f"{day.day} {day:%B %Y}. An account has been made for you with this address. "
        f"{how}Once signed in, add the immersion day to your calendar "
        f"(an .ics invite):\n\n{calendar_link(cohort)}\n",
    )
