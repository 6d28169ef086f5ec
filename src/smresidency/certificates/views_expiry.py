"""Coordinators' list of certificates that expire within 90 days."""

from flask import render_template
from flask_login import current_user

from smresidency.access import allow
from smresidency.certificates import bp, expiry


@bp.get("/certificates/expiring")
@allow("coordinator")
def expiring():
    rows = expiry.expiring_soon(current_user)
    return render_template("certificates/expiring.html", rows=rows, days=expiry.SOON_DAYS)
