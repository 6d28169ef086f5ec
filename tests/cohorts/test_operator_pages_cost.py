"""The new pages cost the same number of statements however much the learner has done."""

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.quizzes.models import QuizAttempt, QuizOverride
from tests.cohorts import test_overrides as overrides_tests
from tests.quizzes.test_taking import failing_answers, quiz_of_attempt, start, submit

course_root, learner, cohort = (
    overrides_tests.course_root,
    overrides_tests.learner,
    overrides_tests.cohort,
)


def _grow(app, learner_id: int, coordinator_id: int, n: int) -> None:
    """n more failed attempts and n overrides at the same module."""
    with app.app_context():
        first = db.session.scalar(select(QuizAttempt))
        for i in range(n):
            db.session.add(
                QuizAttempt(
                    token=f"more-{i}",
                    user_id=learner_id,
                    module_id=first.module_id,
                    version_id=first.version_id,
                    questions=first.questions,
                    submitted_at=first.submitted_at,
                    answers={},
                    score=0,
                    passed=False,
                )
            )
            db.session.add(
                QuizOverride(
                    user_id=learner_id,
                    module_id=first.module_id,
                    kind="extra_attempt",
                    reason=f"reason {i}",
                    granted_by_id=coordinator_id,
                )
            )
        db.session.commit()


def _cost(client, count_queries, method: str, url: str) -> int:
    with count_queries() as statements:
        response = client.open(url, method=method)
    assert response.status_code == 200, response.status_code
    return len(statements)


def test_record_module_page_and_data_download_hold_their_statement_counts(
    app, client, login_as, learner, cohort, count_queries
):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    submit(client, token, failing_answers(quiz, drawn))
    record_url = f"/cohorts/{cohort['id']}/learners/{learner.id}"
    module_url = overrides_tests.MODULE

    def costs():
        login_as(user=learner)
        mine = (
            _cost(client, count_queries, "GET", module_url),
            _cost(client, count_queries, "GET", "/account"),
            _cost(client, count_queries, "POST", "/account/data"),
            _cost(client, count_queries, "GET", "/join"),
        )
        login_as(user=cohort["coordinator"])
        return (*mine, _cost(client, count_queries, "GET", record_url))

    before = costs()
    _grow(app, learner.id, cohort["coordinator"].id, 12)
    assert costs() == before
