"""A quiz submission reuses its statements: the claim and the progress row are built once per
process, not on every submission (counted calls, not time)."""

from sqlalchemy import select as real_select
from sqlalchemy import update as real_update

from smresidency.learning import services as learning_services
from smresidency.quizzes import services as quiz_services
from tests.quizzes.test_taking import (
    bank,
    correct_answers,
    quiz_of_attempt,
    submit,
    sync,
    text_of,
)


def _counting(real, calls):
    def wrapped(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    return wrapped


def test_passing_submissions_build_no_statement(
    app, client, login_as, make_cohort, write_course, monkeypatch
):
    names = ["01-first", "02-second", "03-third"]
    sync(app, write_course(modules={name: {"quiz": bank(4)} for name in names}))
    learner = login_as("learner")
    make_cohort("test-course", learners=[learner])
    built = []
    for number, name in enumerate(names):
        if number == 1:  # the first submission may build what is built once
            monkeypatch.setattr(learning_services, "select", _counting(real_select, built))
            monkeypatch.setattr(quiz_services, "update", _counting(real_update, built))
        module = f"/courses/test-course/modules/{name}"
        client.post(f"{module}/read")
        token = client.post(f"{module}/quiz").headers["Location"].rsplit("/", 1)[1]
        response = submit(client, token, correct_answers(*quiz_of_attempt(app, token)))
        assert response.status_code == 302
        result = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
        assert "You scored 100% — passed" in result
    assert built == []
