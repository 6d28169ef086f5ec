"""The audit log page and its CSV export."""

import csv
import io
import json

from flask import Response, abort, render_template, request

from smresidency.access import allow
from smresidency.admin import queries
from smresidency.admin.audit import ACTIONS
from smresidency.admin.forms import AuditFilterForm
from smresidency.admin.views import bp, page_number
from smresidency.cohorts.export import safe_cell
from smresidency.text import printable

CSV_HEADER = ["When (UTC)", "Who", "Action", "Whom", "Before", "After", "Detail", "Address"]


def _filters() -> tuple[AuditFilterForm, queries.AuditFilters]:
    """The filters from the query string; invalid ones are shown as field errors and ignored."""
    form = AuditFilterForm(request.args)
    if not form.validate():
        return form, queries.AuditFilters()
    return form, queries.AuditFilters(
        form.action.data, form.person.data or "", form.since.data, form.until.data
    )


@bp.get("/admin/audit")
@allow("admin")
def audit():
    """Who changed what, newest first, fifty to a page."""
    form, filters = _filters()
    found = queries.audit_page(filters, page_number())
    if found is None:
        abort(404)
    return render_template(
        "admin/audit.html", form=form, found=found, actions=ACTIONS, args=_kept_args(form)
    )


def _kept_args(form: AuditFilterForm) -> dict:
    """The filter arguments to keep in pagination and export links."""
    return {k: v for k, v in request.args.items() if k in form.data and v and k != "page"}


def _person(user) -> str:
    return f"{printable(user.name)} <{user.email}>" if user is not None else "(system)"


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@bp.get("/admin/audit.csv")
@allow("admin")
def audit_csv():
    """The filtered log as CSV (UTF-8 with BOM for spreadsheets), formulas defused."""
    _, filters = _filters()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry, actor, target in queries.audit_rows(filters):
        row = [
            entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            _person(actor),
            ACTIONS.get(entry.action, entry.action),
            _person(target) if entry.target_user_id or target else "",
            _json(entry.before),
            _json(entry.after),
            printable(entry.detail),
            entry.address,
        ]
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
