"""Publishing from the studio is a sync of the course's files with the change applied.

The published course is written to a temporary directory exactly as `flask content export`
would, the change is applied, and `sync_content` validates and loads it: one loader, one
set of rules, all or nothing, whether the text came from git or from the browser.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from smresidency.catalog.export import course_tree
from smresidency.catalog.loader import load_content
from smresidency.catalog.models import Course
from smresidency.catalog.problems import Problem
from smresidency.catalog.sync import ContentInvalid, SyncReport, sync_content
from smresidency.catalog.tree import write_tree
from smresidency.extensions import db

Changes = dict[str, bytes | None]  # path inside the course directory -> new bytes, or None


@dataclass
class Outcome:
    """What a publish did: the problems that stopped it, or the sync's report."""

    problems: list[Problem] = field(default_factory=list)
    report: SyncReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def lock_course(course_id: int) -> Course:
    """Publishes of one course queue behind each other, on every worker and host."""
    return db.session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def changed_tree(course: Course, changes: Changes) -> dict[str, bytes]:
    """The published files with the changes applied."""
    tree = course_tree(course)
    for path, data in changes.items():
        if data is None:
            tree.pop(path, None)
        else:
            tree[path] = data
    return tree


def check(course: Course, changes: Changes) -> list[Problem]:
    """Every problem the course would have with these changes; nothing is written."""
    with tempfile.TemporaryDirectory(prefix="smr-check-") as tmp:
        write_tree(changed_tree(course, changes), Path(tmp) / course.slug)
        _, problems = load_content(tmp)
        return relative_problems(problems, Path(tmp) / course.slug)


def publish(course: Course, changes: Changes, actor_id: int | None) -> Outcome:
    """Validate the whole course with the changes; publish them all, or nothing."""
    course = lock_course(course.id)
    with tempfile.TemporaryDirectory(prefix="smr-publish-") as tmp:
        write_tree(changed_tree(course, changes), Path(tmp) / course.slug)
        try:
            report = sync_content(tmp, actor_id=actor_id, from_disk=False)
        except ContentInvalid as err:
            return Outcome(problems=relative_problems(err.problems, Path(tmp) / course.slug))
    return Outcome(report=report)


def relative_problems(problems: list[Problem], course_dir: Path) -> list[Problem]:
    """Problems named by their path inside the course (`modules/03-facebook.md:12`)."""
    out = []
    for p in problems:
        path = Path(p.path)
        try:
            shown = path.relative_to(course_dir).as_posix()
        except ValueError:
            shown = path.name
        out.append(Problem(shown, p.line, p.message))
    return sorted(out)
