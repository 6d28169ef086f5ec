"""Cohorts: enrolment, invitations, CSV upload, the coordinator's dashboard and reminders."""

from flask import Blueprint

bp = Blueprint("cohorts", __name__)

from smresidency.cohorts import (  # noqa: E402, F401
    views,
    views_codes,
    views_dashboard,
    views_import,
    views_overrides,
    views_reminders,
)
