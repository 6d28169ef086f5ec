"""Admin reads, each page in a fixed number of statements whatever the number of people."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from math import ceil

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User, UserRole
from smresidency.catalog.models import Course
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Cohort, CohortStaff, Enrolment
from smresidency.extensions import db

PER_PAGE = 50


@dataclass
class Page:
    """One page of a list, with what the pagination links need."""

    rows: list
    page: int
    pages: int
    total: int
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def _like(text: str) -> str:
    """A case-insensitive substring pattern with the LIKE wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _person_matches(user, text: str):
    pattern = _like(text)
    return or_(
        func.lower(user.name).like(pattern, escape="\\"),
        func.lower(user.email).like(pattern, escape="\\"),
    )


def _paged(query: Select, page: int, per_page: int = PER_PAGE) -> tuple[int, int, int] | None:
    """(total, pages, offset) for a filtered query; None when the page does not exist."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, ceil(total / per_page))
    if not 1 <= page <= pages:
        return None
    return total, pages, (page - 1) * per_page


def people(q: str = "", role: str = "", status: str = "", page: int = 1) -> Page | None:
    """One page of accounts, filtered; two statements (count, rows with their roles)."""
    query = select(User)
    if q:
        query = query.where(_person_matches(User, q))
    if role:
        query = query.where(exists().where(UserRole.user_id == User.id, UserRole.role == role))
    if status:
        query = query.where(User.active.is_(status == "active"))
    paged = _paged(query, page)
    if paged is None:
        return None
    total, pages, offset = paged
    rows = (
        db.session.scalars(
            query.options(selectinload(User.role_rows))
            .order_by(func.lower(User.name), User.id)
            .limit(PER_PAGE)
            .offset(offset)
        )
        .unique()
        .all()
    )
    return Page(list(rows), page, pages, total)


@dataclass
class Person:
    """An account with what an admin needs to see about it."""

    user: User
    enrolments: list  # (Enrolment, Cohort, Course title)
    staff_of: list  # (Cohort name, role)
    certificates: list


def person(user_id: int) -> Person | None:
    """One account, its cohorts (as learner and as staff) and its certificates; four statements."""
    user = db.session.get(User, user_id)
    if user is None:
        return None
    enrolments = db.session.execute(
        select(Enrolment, Cohort, Course.title)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .where(Enrolment.user_id == user_id)
        .order_by(Cohort.immersion_date.desc(), Enrolment.id)
    ).all()
    staff = db.session.execute(
        select(Cohort.id, Cohort.name, CohortStaff.role)
        .join(CohortStaff, CohortStaff.cohort_id == Cohort.id)
        .where(CohortStaff.user_id == user_id)
        .order_by(Cohort.immersion_date.desc(), CohortStaff.role)
    ).all()
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.issued_at)
    ).all()
    return Person(user, list(enrolments), list(staff), list(certificates))


@dataclass
class AuditFilters:
    """What the audit page is narrowed to."""

    action: str = ""
    person: str = ""
    since: object = None  # date
    until: object = None  # date


Actor = aliased(User, name="actor")
Target = aliased(User, name="target")


def _audit_query(filters: AuditFilters) -> Select:
    """Entries with their actor and target (outer joins), newest first."""
    query = (
        select(AuditEntry, Actor, Target)
        .outerjoin(Actor, Actor.id == AuditEntry.actor_id)
        .outerjoin(Target, Target.id == AuditEntry.target_user_id)
    )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.person:
        query = query.where(
            or_(_person_matches(Actor, filters.person), _person_matches(Target, filters.person))
        )
    if filters.since:
        query = query.where(AuditEntry.created_at >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEntry.created_at < end)
    return query.order_by(AuditEntry.id.desc())


def audit_page(filters: AuditFilters, page: int = 1) -> Page | None:
    """One page of the audit log; two statements."""
    query = _audit_query(filters)
    paged = _paged(query, page)
    if paged is None:
        return None
    total, pages, offset = paged
    rows = db.session.execute(query.limit(PER_PAGE).offset(offset)).all()
    return Page(list(rows), page, pages, total)


def audit_rows(filters: AuditFilters):
    """Every matching entry, streamed in batches for the CSV export; one statement."""
    return db.session.execute(_audit_query(filters).execution_options(yield_per=500))
