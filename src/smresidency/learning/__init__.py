"""The learner's path: course outline, reading modules, progress."""

from flask import Blueprint

bp = Blueprint("learning", __name__, url_prefix="/courses")

from smresidency.learning import views  # noqa: E402, F401
