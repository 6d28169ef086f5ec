"""Download my data: the signed-in person's records as a zip (privacy.export)."""

from flask import Response, abort
from flask_login import current_user

from smresidency.access import SIGNED_IN, allow
from smresidency.admin.audit import record
from smresidency.auth import bp
from smresidency.auth.forms import ConfirmForm
from smresidency.db import utcnow
from smresidency.privacy.export import collect, zip_of


@bp.post("/account/data")
@allow(SIGNED_IN)
def download_data():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    data = collect(user)
    record(user, "data.exported", target_user=user, after={k: len(v) for k, v in data.items()})
    name = f"smresidency-my-data-{utcnow():%Y-%m-%d}.zip"
    return Response(
        zip_of(data),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
