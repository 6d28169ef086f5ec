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


WRITERS = {"progress": progress_writer}


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
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=WRITERS["progress"], args=(config, token, barrier, results))
        for token in tokens
    ]
    for p in procs:
        p.start()
    statuses = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    flat = [s for batch in statuses for s in batch]
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
