"""The home page and course media; the learner's path itself lives in `learning`."""

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask_login import current_user

from smresidency.access import PUBLIC, allow
from smresidency.catalog import queries

bp = Blueprint("catalog", __name__)

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg"}


@bp.get("/")
@allow(PUBLIC)
def home():
    """What the residency is, and the courses with a way in."""
    cards = queries.course_cards()
    progress = {}
    if current_user.is_authenticated:
        from smresidency.learning.queries import completed_by_course

        progress = completed_by_course(current_user.id)
    return render_template("catalog/home.html", cards=cards, progress=progress)


@bp.get("/media/<course_slug>/<path:filename>")
@allow(PUBLIC)
def media(course_slug: str, filename: str):
    """Images that lessons reference, served from the course's content directory."""
    if Path(filename).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    directory = Path(current_app.config["CONTENT_DIR"]) / course_slug
    response = send_from_directory(directory, filename, max_age=3600)
    if filename.lower().endswith(".svg"):
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response
