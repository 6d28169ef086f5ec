"""The immersion day: faculty check-off, QR check-in and workshop evidence."""

from flask import Blueprint

bp = Blueprint("immersion", __name__)

from smresidency.immersion import views_checkin, views_evidence, views_roster  # noqa: E402, F401
