"""The outline's own marks are read on the session's connection, skipping the ORM's
per-statement work, yet see what the request changed and has not flushed yet."""

from sqlalchemy import select

from smresidency.catalog.models import Module, ModuleVersion, current_version
from smresidency.catalog.sync import sync_content
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.learning import queries
from smresidency.learning.models import ModuleProgress

COURSE_SLUG = "test-course"


def _synced_first_module(write_course):
    """Sync the small test course (inside an app context); its first module and version id."""
    sync_content(write_course())
    db.session.commit()
    return db.session.execute(
        select(Module, ModuleVersion.id)
        .join(ModuleVersion, current_version())
        .where(Module.slug == "01-first")
    ).one()


def test_unflushed_progress_shows_in_the_outline(app, make_user, write_course):
    learner = make_user("learner")
    with app.app_context():
        first, version_id = _synced_first_module(write_course)
        now = utcnow()
        db.session.add(
            ModuleProgress(
                user_id=learner.id,
                module_id=first.id,
                version_id=version_id,
                read_at=now,
                completed_at=now,
            )
        )
        outline = queries.course_outline(COURSE_SLUG, learner.id)
        assert outline.modules[0].status == "complete"
        db.session.rollback()
        outline = queries.course_outline(COURSE_SLUG, learner.id)
        assert outline.modules[0].status == "open"


def test_learners_at_the_same_point_share_one_outline(app, make_user, write_course, monkeypatch):
    """The states are made once per set of marks, not once per page or per learner."""
    first_learner, second_learner, ahead = (make_user("learner") for _ in range(3))
    made, make = [], queries.module_states

    def counted(live):
        made.append(len(live))
        return make(live)

    monkeypatch.setattr(queries, "module_states", counted)
    with app.app_context():
        first, version_id = _synced_first_module(write_course)
        now = utcnow()
        db.session.add(
            ModuleProgress(user_id=ahead.id, module_id=first.id, version_id=version_id, read_at=now)
        )
        db.session.commit()
        one = queries.course_outline(COURSE_SLUG, first_learner.id)
        again = queries.course_outline(COURSE_SLUG, first_learner.id)
        other = queries.course_outline(COURSE_SLUG, second_learner.id)
        assert one is again is other and len(made) == 1
        theirs = queries.course_outline(COURSE_SLUG, ahead.id)
        assert theirs is not one and len(made) == 2
        assert [s.status for s in theirs.modules[:1]] == ["read"]
        assert [s.status for s in one.modules[:1]] == ["open"]

        # a publish brings a new structure: its outlines are made afresh
        from smresidency.catalog import cache

        cache.bump()
        db.session.commit()
        assert queries.course_outline(COURSE_SLUG, first_learner.id) is not one
        assert len(made) == 3
        # the older structure's outlines are gone with it
        kept = [id(outline) for outline in queries._OUTLINES.values()]
        assert id(one) not in kept and id(theirs) not in kept
