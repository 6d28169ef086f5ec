"""What the API reads, scoped by the token owner's cohort access; a page is a few statements."""

from sqlalchemy import case, func, select

from smresidency.api.models import ApiToken
from smresidency.auth.models import User
from smresidency.catalog.models import Course, Module
from smresidency.certificates.models import Certificate
from smresidency.cohorts import access
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.learning.models import EnrolmentSummary
from smresidency.quizzes.models import QuizAttempt


def tokens_of(user) -> list[ApiToken]:
    """The user's tokens, newest first, for the account page."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def _page(query, column, after: int, limit: int) -> list:
    """Rows after the cursor in id order, one more than asked so the caller knows if more follow."""
    return list(db.session.execute(query.where(column > after).order_by(column).limit(limit + 1)))


def courses_page(after: int, limit: int) -> list[tuple[Course, list]]:
    """Courses with their current modules (title, minutes); content is shared with all staff."""
    rows = [r[0] for r in _page(select(Course), Course.id, after, limit)]
    ids = [c.id for c in rows[:limit]]
    from smresidency.catalog.models import ModuleVersion

    modules = db.session.execute(
        select(Module.course_id, Module.slug, ModuleVersion.title, ModuleVersion.minutes)
        .join(
            ModuleVersion,
            (ModuleVersion.module_id == Module.id)
            & (ModuleVersion.content_hash == Module.current_hash),
        )
        .where(Module.course_id.in_(ids), Module.retired.is_(False))
        .order_by(Module.course_id, Module.position)
    ).all()
    by_course: dict[int, list] = {}
    for m in modules:
        by_course.setdefault(m.course_id, []).append(m)
    return [(c, by_course.get(c.id, [])) for c in rows]


def cohorts_page(user, after: int, limit: int) -> list[Cohort]:
    """The cohorts the owner may see, with their course."""
    return [
        r[0]
        for r in _page(access.with_course(access.visible_cohorts(user)), Cohort.id, after, limit)
    ]


def cohort(user, cohort_id: int) -> Cohort | None:
    """One cohort the owner may see, or None (answered as 404)."""
    return access.scoped_cohort(access.visible_cohorts(user), cohort_id)


def enrolments_page(cohort: Cohort, after: int, limit: int) -> list:
    """Enrolments with their progress figures and quiz results, in two statements."""
    rows = _page(
        select(Enrolment, User.name, User.email, EnrolmentSummary)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(EnrolmentSummary, EnrolmentSummary.enrolment_id == Enrolment.id)
        .where(Enrolment.cohort_id == cohort.id),
        Enrolment.id,
        after,
        limit,
    )
    users = [r[0].user_id for r in rows]
    quiz = db.session.execute(
        select(
            QuizAttempt.user_id,
            func.count(QuizAttempt.id),
            func.count(func.distinct(case((QuizAttempt.passed.is_(True), QuizAttempt.module_id)))),
            func.max(QuizAttempt.score),
        )
        .join(Module, Module.id == QuizAttempt.module_id)
        .where(
            QuizAttempt.user_id.in_(users),
            Module.course_id == cohort.course_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .group_by(QuizAttempt.user_id)
    ).all()
    results = {q[0]: q[1:] for q in quiz}
    return [(*r, results.get(r[0].user_id, (0, 0, None))) for r in rows]


def certificates_page(cohort: Cohort, after: int, limit: int) -> list[Certificate]:
    """The cohort's certificates, revoked ones included (the hospital must learn of those)."""
    query = select(Certificate).where(Certificate.cohort_id == cohort.id)
    return [r[0] for r in _page(query, Certificate.id, after, limit)]
