"""Course images uploaded in the studio: checked like synced ones, never changed once stored.

A published lesson shows `images/<name>` by path, so a stored path keeps its bytes: another
upload under the same name with different bytes is refused, not applied.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.authoring.publish import lock_course
from smresidency.catalog.images import ImageRejected, prepare_image
from smresidency.catalog.models import Course, CourseAsset
from smresidency.extensions import db

IMAGE_DIR = "images"


class NameTaken(ImageRejected):
    """Another image already has this name; the message says what to do."""


@dataclass(frozen=True)
class Added:
    """The stored image and what the upload did: "added", "unchanged" or "restored"."""

    asset: CourseAsset
    outcome: str


@dataclass(frozen=True)
class Listed:
    """One row of the images page, without the image's bytes."""

    name: str
    path: str
    alt: str
    size: int
    content_type: str
    created_at: datetime
    uploaded_by: str | None

    @property
    def snippet(self) -> str:
        return markdown_snippet(self.alt or "describe the image", self.path)


def markdown_snippet(alt: str, path: str) -> str:
    """What an author pastes into a lesson; brackets in the alt text would end it early."""
    shown = re.sub(r"\s+", " ", alt).strip()
    shown = shown.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{shown}]({path})"


def add_image(course: Course, name: str, data: bytes, alt: str, actor_id: int | None) -> Added:
    """Store an uploaded image under images/<name>; ImageRejected says why it was not.

    The course row is locked as a publish locks it, so a publish running at the same time
    cannot miss the new image and mark it removed.
    """
    image = prepare_image(name, data)
    course = lock_course(course.id)
    path = f"{IMAGE_DIR}/{name}"
    digest = hashlib.sha256(image.data).hexdigest()
    asset = db.session.scalar(
        select(CourseAsset).where(CourseAsset.course_id == course.id, CourseAsset.path == path)
    )
    if asset is not None:
        if asset.sha256 != digest and asset.removed_at is not None:
            raise NameTaken(
                f"an image called {name} was used before and older module versions still "
                "show it; choose another name"
            )
        if asset.sha256 != digest:
            raise NameTaken(f"an image called {name} already exists; choose another name")
        if asset.removed_at is None:
            return Added(asset, "unchanged")
        asset.removed_at = None
        db.session.flush()
        return Added(asset, "restored")
    asset = CourseAsset(
        course_id=course.id,
        path=path,
        content_type=image.content_type,
        data=image.data,
        size=len(image.data),
        sha256=digest,
        alt=alt,
        created_by_id=actor_id,
    )
    db.session.add(asset)
    db.session.flush()
    return Added(asset, "added")


def list_images(course_id: int) -> list[Listed]:
    """The course's current images with who uploaded them: one statement, no image bytes."""
    rows = db.session.execute(
        select(
            CourseAsset.path,
            CourseAsset.alt,
            CourseAsset.size,
            CourseAsset.content_type,
            CourseAsset.created_at,
            User.name,
        )
        .outerjoin(User, User.id == CourseAsset.created_by_id)
        .where(CourseAsset.course_id == course_id, CourseAsset.removed_at.is_(None))
        .order_by(CourseAsset.path)
    ).all()
    return [
        Listed(
            name=path.rsplit("/", 1)[-1],
            path=path,
            alt=alt,
            size=size,
            content_type=content_type,
            created_at=created_at,
            uploaded_by=uploader,
        )
        for path, alt, size, content_type, created_at, uploader in rows
    ]
