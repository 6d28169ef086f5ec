"""The home page and course media; the learner's path itself lives in `learning`."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from smresidency.access import PUBLIC, allow
from smresidency.catalog import queries

bp = Blueprint("catalog", __name__)


@bp.get("/")
@allow(PUBLIC)
def home():
    """What the residency is, and the courses with a way in."""
    cards = queries.course_cards()
    progress, steps = {}, []
    if current_user.is_authenticated:
        from smresidency.learning.next_step import next_steps
        from smresidency.learning.queries import completed_by_course

        progress = completed_by_course(current_user.id)
        steps = next_steps(current_user.id)
    return render_template("catalog/home.html", cards=cards, progress=progress, steps=steps)


@bp.get("/media/<course_slug>/<path:filename>")
@allow(PUBLIC)
def media(course_slug: str, filename: str):
    """Course images from the database; revalidated by ETag so a replaced image shows at once."""
    asset = queries.asset(course_slug, filename)
    if asset is None:
        abort(404)
    response = current_app.response_class(asset.data, mimetype=asset.content_type)
    response.set_etag(asset.sha256)
    response.last_modified = asset.created_at
    response.cache_control.public = True
    response.cache_control.max_age = 300
    if asset.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
    return response.make_conditional(request)
