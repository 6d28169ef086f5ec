"""Pre/post self-ratings on the course competencies, and the cohort's report of change."""

from flask import Blueprint

bp = Blueprint("ratings", __name__)

from smresidency.ratings import views  # noqa: E402, F401
