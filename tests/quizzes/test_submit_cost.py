"""A quiz submission costs a fixed handful of statements, whatever the quiz and course size."""

import pytest

from tests.quizzes.test_taking import bank, correct_answers, quiz_of_attempt, submit, sync


def _writes(statements):
    return [s for s in statements if not s.lstrip().upper().startswith("SELECT")]


@pytest.mark.parametrize("questions,modules", [(4, 2), (12, 6)])
def test_a_passing_submission_uses_a_fixed_number_of_statements(
    app, client, login_as, make_cohort, write_course, count_queries, questions, modules
):
    names = [f"{i:02d}-m{i}" for i in range(1, modules + 1)]
    sync(app, write_course(modules={name: {"quiz": bank(questions)} for name in names}))
    learner = login_as("learner")
    make_cohort("test-course", learners=[learner])
    first = f"/courses/test-course/modules/{names[0]}"
    client.post(f"{first}/read")
    token = client.post(f"{first}/quiz").headers["Location"].rsplit("/", 1)[1]
    form = correct_answers(*quiz_of_attempt(app, token))
    with count_queries() as statements:
        assert submit(client, token, form).status_code == 302
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO QUIZ_RESPONSE")]
    assert len(inserts) == 1  # every answer in one statement
    # not the last module: no certificate check (it loads the certificate row)
    assert not any(s.lstrip().startswith("SELECT certificate.") for s in statements), statements
    # the user, the attempt; claim, answers, the progress row (one UPDATE), and the webhook
    # endpoints that may want module.completed (a cold worker reads them). SQLite: the summary
    # is one UPDATE that returns what the certificate gate decides on. PostgreSQL: the summary
    # is recomputed as every flush does it (the enrolment and then the summary row locked
    # first, in the order a faculty tick takes them; insert missing, update), then the gate.
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert len(statements) == 11, statements
        assert len(_writes(statements)) == 5
    else:
        assert len(statements) == 7, statements
        assert len(_writes(statements)) == 4


def test_the_last_module_still_checks_the_certificate(
    app, client, login_as, make_cohort, write_course, count_queries
):
    sync(app, write_course(modules={"01-only": {"quiz": bank(4)}}))
    learner = login_as("learner")
    make_cohort("test-course", learners=[learner])
    module = "/courses/test-course/modules/01-only"
    client.post(f"{module}/read")
    token = client.post(f"{module}/quiz").headers["Location"].rsplit("/", 1)[1]
    with count_queries() as statements:
        submit(client, token, correct_answers(*quiz_of_attempt(app, token)))
    assert any(s.lstrip().startswith("SELECT certificate.") for s in statements)


def test_sqlite_takes_the_write_lock_only_for_the_writes(
    app, client, login_as, make_cohort, write_course
):
    """The user and the attempt are read without the write lock; BEGIN IMMEDIATE comes on the
    same connection right before the claim, so another worker's writes wait only for ours."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    from sqlalchemy import event

    from smresidency.extensions import db

    sync(app, write_course(modules={"01-first": {"quiz": bank(4)}, "02-next": {}}))
    learner = login_as("learner")
    make_cohort("test-course", learners=[learner])
    module = "/courses/test-course/modules/01-first"
    client.post(f"{module}/read")
    token = client.post(f"{module}/quiz").headers["Location"].rsplit("/", 1)[1]
    form = correct_answers(*quiz_of_attempt(app, token))
    seen: list[tuple[str, int]] = []

    def note(conn, cursor, statement, *_):
        seen.append((statement.lstrip().split("\n")[0][:40], id(conn.connection.dbapi_connection)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert submit(client, token, form).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", note)
    texts = [text for text, _ in seen]
    lock = texts.index("BEGIN IMMEDIATE")
    assert "BEGIN IMMEDIATE" not in texts[lock + 1 :]
    reads = [t for t in texts[:lock] if t != "BEGIN"]  # a deferred BEGIN takes no lock
    assert len(reads) >= 2 and all(t.startswith("SELECT") for t in reads)  # user, attempt
    assert texts[lock + 1].startswith("UPDATE quiz_attempt")
    assert len({conn for _, conn in seen}) == 1  # one connection throughout
