"""Routes: the admin's webhooks page (register endpoints, the delivery log, resend)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from smresidency.access import allow
from smresidency.webhooks import queries, services
from smresidency.webhooks.forms import EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def _page(form: EndpointForm, created=None, status: int = 200):
    """Endpoints, the registration form and the delivery log; a new secret shown once."""
    page = render_template(
        "webhooks/index.html",
        form=form,
        created=created,
        action=FlaskForm(),
        endpoints=queries.endpoints(),
        deliveries=queries.recent_deliveries(),
    )
    return page, status


@bp.get("/")
@allow("admin")
def index():
    return _page(EndpointForm(formdata=None))


@bp.post("/")
@allow("admin")
def register():
    form = EndpointForm()
    if not form.validate():
        return _page(form, status=422)
    endpoint = services.register(current_user, form.url.data, form.events.data)
    flash("Endpoint registered. Give its secret to the receiving system now.", "success")
    return _page(EndpointForm(formdata=None), created=endpoint)


@bp.post("/deliveries/<int:delivery_id>/resend")
@allow("admin")
def resend(delivery_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    delivery = queries.delivery(delivery_id)
    if delivery is None:
        abort(404)
    services.resend(delivery)
    flash(f"Delivery {delivery.message_id} is queued again.", "success")
    return redirect(url_for("webhooks.index"))
