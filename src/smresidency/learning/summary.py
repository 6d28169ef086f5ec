"""Keeps each enrolment's progress summary in step with the rows it sums, in the same flush.

Whatever changes progress (a read, a passed quiz, a tick, a plan, a certificate, a module
retired) goes through the session; after each flush the touched enrolments' summaries are
recomputed from the raw tables in two statements, so the dashboard reads one row per learner.
Each recompute gives the summary a new random `version`: the dashboard's cached rows key on it.
"""

import secrets

from sqlalchemy import and_, bindparam, case, event, func, insert, or_, select, update
from sqlalchemy.orm import Session

from smresidency.catalog.models import Module
from smresidency.learning.models import EnrolmentSummary, ModuleProgress

_PENDING = "summary_pending"


def _tables():
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion.models import CheckOff
    from smresidency.plans.models import StrategyPlan

    return Enrolment, CheckOff, StrategyPlan, Certificate


def figures(enrolment_id):
    """Each summary column as a subquery over the raw tables, for the enrolment `enrolment_id`."""
    Enrolment, CheckOff, StrategyPlan, Certificate = _tables()
    own = (
        select(func.count(ModuleProgress.id))
        .join(Module, Module.id == ModuleProgress.module_id)
        .join(
            Enrolment,
            and_(
                Enrolment.user_id == ModuleProgress.user_id,
                Enrolment.course_id == Module.course_id,
            ),
        )
        .where(Enrolment.id == enrolment_id)
    )
    live = own.where(Module.retired.is_(False))
    stamp = func.coalesce(ModuleProgress.completed_at, ModuleProgress.read_at)
    return {
        "modules_read": live.where(
            or_(ModuleProgress.read_at.is_not(None), ModuleProgress.completed_at.is_not(None))
        ).scalar_subquery(),
        "modules_complete": live.where(ModuleProgress.completed_at.is_not(None)).scalar_subquery(),
        "last_activity_at": own.with_only_columns(func.max(stamp)).scalar_subquery(),
        "items_checked": select(func.count(CheckOff.id))
        .where(CheckOff.enrolment_id == enrolment_id, CheckOff.checked.is_(True))
        .scalar_subquery(),
        "plan_state": func.coalesce(
            select(StrategyPlan.state)
            .where(StrategyPlan.enrolment_id == enrolment_id)
            .scalar_subquery(),
            "",
        ),
        "certificate_state": func.coalesce(
            select(case((Certificate.revoked_at.is_(None), "issued"), else_="revoked"))
            .where(Certificate.enrolment_id == enrolment_id)
            .order_by(Certificate.edition.desc())  # the latest: a re-issue replaces the first
            .limit(1)
            .scalar_subquery(),
            "",
        ),
    }


def recompute(connection, enrolment_ids=(), user_ids=(), course_ids=()) -> None:
    """Bring the summaries of these enrolments (or of these learners or courses) up to date."""
    lock_enrolments, insert_missing, lock, refresh = _statements()
    params = {"eids": list(enrolment_ids), "uids": list(user_ids), "cids": list(course_ids)}
    # random rather than +1, as the content version: another database never repeats a stamp
    params["stamp"] = secrets.randbelow(2**31 - 2) + 1
    if connection.dialect.name != "sqlite":
        # the enrolment rows first, in id order, as a faculty tick and the certificate check
        # do: taking the summary row first and the enrolment second deadlocked against them
        connection.execute(lock_enrolments, params)
    connection.execute(insert_missing, params)
    if connection.dialect.name != "sqlite":
        # lock first, then compute in a fresh statement: under READ COMMITTED the UPDATE's
        # subqueries then see whatever a concurrent change to the same enrolment committed
        connection.execute(lock, params)
    connection.execute(refresh, params)


def recompute_enrolment(connection, user_id: int, module_id: int):
    """SQLite: the summary of the learner's enrolment in the module's course (one at most) in
    one UPDATE, returning (enrolment id, modules complete, the course's live modules) for the
    certificate gate; None when no summary row was there to update (recompute then)."""
    params = {"uid": user_id, "mid": module_id, "stamp": secrets.randbelow(2**31 - 2) + 1}
    return connection.execute(_enrolment_statement(), params).first()


_ONE: list = []


def _enrolment_statement():
    """Built once per process, as _statements."""
    if not _ONE:
        Enrolment = _tables()[0]
        course = select(Module.course_id).where(Module.id == bindparam("mid")).scalar_subquery()
        enrolment = (
            select(Enrolment.id)
            .where(Enrolment.user_id == bindparam("uid"), Enrolment.course_id == course)
            .scalar_subquery()
        )
        live = (
            select(func.count(Module.id))
            .where(Module.course_id == course, Module.retired.is_(False))
            .scalar_subquery()
        )
        _ONE.append(
            update(EnrolmentSummary)
            .where(EnrolmentSummary.enrolment_id == enrolment)
            .values({**figures(EnrolmentSummary.enrolment_id), "version": bindparam("stamp")})
            .returning(EnrolmentSummary.enrolment_id, EnrolmentSummary.modules_complete, live)
        )
    return _ONE[0]


_BUILT: list = []


def _statements() -> list:
    """Built once per process (a flush that changes progress runs them; building is costly)."""
    if _BUILT:
        return _BUILT
    Enrolment = _tables()[0]
    chosen = select(Enrolment.id).where(
        or_(
            Enrolment.id.in_(bindparam("eids", expanding=True)),
            Enrolment.user_id.in_(bindparam("uids", expanding=True)),
            Enrolment.course_id.in_(bindparam("cids", expanding=True)),
        )
    )
    have = select(EnrolmentSummary.enrolment_id).where(
        EnrolmentSummary.enrolment_id == Enrolment.id
    )
    mine = EnrolmentSummary.enrolment_id.in_(chosen)
    _BUILT.extend(
        [
            chosen.order_by(Enrolment.id).with_for_update(),
            insert(EnrolmentSummary).from_select(["enrolment_id"], chosen.where(~have.exists())),
            select(EnrolmentSummary.enrolment_id)
            .where(mine)
            .order_by(EnrolmentSummary.enrolment_id)
            .with_for_update(),
            update(EnrolmentSummary)
            .where(mine)
            .values({**figures(EnrolmentSummary.enrolment_id), "version": bindparam("stamp")}),
        ]
    )
    return _BUILT


def _note_object(obj, pending: tuple[set, set, set, list]) -> None:
    """Record which summaries a changed row feeds; new rows are resolved after the flush."""
    Enrolment, CheckOff, StrategyPlan, Certificate = _tables()
    enrolments, users, courses, _ = pending
    if isinstance(obj, ModuleProgress):
        users.add(obj.user_id)
    elif isinstance(obj, Enrolment):
        enrolments.add(obj.id)
    elif isinstance(obj, (CheckOff, StrategyPlan, Certificate)):
        enrolments.add(obj.enrolment_id)
    elif isinstance(obj, Module):
        courses.add(obj.course_id)


@event.listens_for(Session, "before_flush")
def _note(session, flush_context, instances) -> None:
    pending = session.info.setdefault(_PENDING, (set(), set(), set(), []))
    for obj in (*session.dirty, *session.deleted):
        _note_object(obj, pending)
    pending[3].extend(session.new)


@event.listens_for(Session, "after_flush_postexec")
def _apply(session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    for obj in pending[3]:  # their ids and foreign keys are set now
        _note_object(obj, pending)
    enrolments, users, courses, _ = pending
    enrolments.discard(None)
    if enrolments or users or courses:
        recompute(session.connection(), enrolments, users, courses)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_PENDING, None)
