"""Several processes write at the same moment; every write lands and no request fails.

Runs on whichever database the suite runs on (SQLite with BEGIN IMMEDIATE, or PostgreSQL).
Each writer is a function run in its own process after a barrier; later features add theirs
to WRITERS with the check that proves nothing was lost.
"""

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.quizzes.grading import value_of

pytestmark = pytest.mark.slow

MODULES = [f"0{i}-topic-{i}" for i in range(1, 6)]
PROCESSES = 6


def _client_for(config: dict, token: str):
    from smresidency import create_app

    app = create_app(config)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    return app, client


def progress_writer(config: dict, token: str, barrier, results) -> None:
    """Mark every module read as fast as possible, as one learner."""
    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    statuses = [
        client.post(f"/courses/test-course/modules/{slug}/read").status_code for slug in MODULES
    ]
    with app.app_context():
        db.engine.dispose()
    results.put(statuses)


def quiz_submitter(config: dict, token: str, barrier, results, attempt_token: str, data: dict):
    """Submit the same attempt as everyone else, at the same moment (double click, two tabs)."""
    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    status = client.post(f"/quiz/{attempt_token}", data=data).status_code
    with app.app_context():
        db.engine.dispose()
    results.put([status])


def studio_publisher(config: dict, token: str, barrier, results, form: dict):
    """Publish an edit of the module everyone opened at the same moment."""
    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    status = client.post("/studio/test-course/modules/only", data=form).status_code
    with app.app_context():
        db.engine.dispose()
    results.put([status])


WRITERS = {"progress": progress_writer, "quiz": quiz_submitter, "studio": studio_publisher}


def _run(writer, arg_sets: list[tuple]) -> list[int]:
    """Start one process per argument set behind a barrier; return every status code."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(arg_sets))
    results = ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(config, token, barrier, results, *extra))
        for config, token, *extra in arg_sets
    ]
    for p in procs:
        p.start()
    statuses = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return [s for batch in statuses for s in batch]


@pytest.fixture
def open_course(app, write_course):
    root = write_course(modules={slug: {"minutes": 5} for slug in MODULES})
    with app.app_context():
        sync_content(root)
        db.session.commit()


def test_concurrent_progress_writes_are_all_kept(app, open_course, make_user, database_url):
    from smresidency.learning.models import ModuleProgress

    shared = make_user("learner")  # three processes write for the same learner at once
    others = [make_user("learner") for _ in range(PROCESSES - 3)]
    tokens = [shared.session_token] * 3 + [u.session_token for u in others]
    config = {k: v for k, v in app.config.items() if _picklable(k, v)}
    flat = _run(WRITERS["progress"], [(config, token) for token in tokens])
    assert len(flat) == PROCESSES * len(MODULES)
    assert set(flat) == {302}, f"some requests failed: {flat}"
    with app.app_context():
        for user in [shared, *others]:
            done = db.session.scalar(
                select(func.count())
                .select_from(ModuleProgress)
                .where(ModuleProgress.user_id == user.id, ModuleProgress.completed_at.is_not(None))
            )
            assert done == len(MODULES), f"user {user.id} has {done} of {len(MODULES)}"
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == (
            (1 + len(others)) * len(MODULES)
        )


def _picklable(key, value) -> bool:
    return isinstance(value, str | int | float | bool | type(None) | Path | dict | list | tuple)


QUIZ = """
## Quiz
pass: 100%
attempts: 3

### Which answer is right?
- [x] This one
  > Yes.
- [ ] That one
  > No.
"""


def test_eight_concurrent_submissions_grade_one_attempt_once(app, write_course, make_user):
    from smresidency.learning.models import ModuleProgress
    from smresidency.quizzes.models import QuizAttempt, QuizResponse

    with app.app_context():
        sync_content(write_course(modules={"01-only": {"quiz": QUIZ}}))
        db.session.commit()
    learner = make_user("learner")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = learner.session_token
    client.post("/courses/test-course/modules/01-only/read")
    start = client.post("/courses/test-course/modules/01-only/quiz")
    attempt_token = start.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        drawn = attempt.questions[0]
    assert drawn["order"]  # the attempt exists and was drawn
    right = {"answer-q1": value_of(drawn, 0)}  # choice 0 is the marked one in the file
    config = {k: v for k, v in app.config.items() if _picklable(k, v)}
    statuses = _run(WRITERS["quiz"], [(config, learner.session_token, attempt_token, right)] * 8)
    assert set(statuses) == {302}, statuses
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt)).all()
        assert len(attempts) == 1
        assert attempts[0].submitted_at is not None and attempts[0].passed is True
        assert db.session.scalar(select(func.count()).select_from(QuizResponse)) == 1
        progress = db.session.scalars(select(ModuleProgress)).all()
        assert len(progress) == 1 and progress[0].completed_at is not None


def test_concurrent_publishes_of_one_module_let_one_win_and_tell_the_others(
    app, write_course, make_user
):
    from smresidency.authoring.documents import text_hash
    from smresidency.catalog.models import ModuleVersion

    with app.app_context():
        sync_content(write_course(modules={"01-only": {}}))
        db.session.commit()
        published = db.session.scalar(select(ModuleVersion.source))
    people = [make_user("instructor") for _ in range(PROCESSES)]
    config = {k: v for k, v in app.config.items() if _picklable(k, v)}
    forms = [
        {
            "opened": text_hash(published),
            "title": "Only",
            "minutes": "10",
            "objectives": "Understand Only",
            "body": f"## About Only\n\nEdit number {i}.\n",
            "publish": "Publish",
        }
        for i in range(PROCESSES)
    ]
    statuses = _run(
        WRITERS["studio"],
        [(config, p.session_token, f) for p, f in zip(people, forms, strict=True)],
    )
    assert sorted(statuses) == [303] + [409] * (PROCESSES - 1), statuses
    with app.app_context():
        versions = db.session.scalars(select(ModuleVersion).order_by(ModuleVersion.id)).all()
        assert len(versions) == 2
        winner = versions[1]
        assert "Edit number" in winner.source
        assert winner.created_by_id in {p.id for p in people}
