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


def test_unflushed_progress_shows_in_the_outline(app, make_user, write_course):
    learner = make_user("learner")
    with app.app_context():
        sync_content(write_course())
        db.session.commit()
        first, version_id = db.session.execute(
            select(Module, ModuleVersion.id)
            .join(ModuleVersion, current_version())
            .where(Module.slug == "01-first")
        ).one()
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
