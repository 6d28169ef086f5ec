"""The culminating strategy-and-tactics plan: drafts, submission, rubric review, PDF."""

from flask import Blueprint

bp = Blueprint("plans", __name__)

from smresidency.plans import views  # noqa: E402, F401
