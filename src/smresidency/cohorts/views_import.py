"""Enrolling people from a CSV file: upload, a row-by-row preview, then confirm all or nothing."""

from flask import abort, current_app, render_template
from flask_login import current_user

from smresidency.access import allow
from smresidency.auth.services import AccountError
from smresidency.cohorts import bp, csv_import
from smresidency.cohorts.access import cohort_or_none
from smresidency.cohorts.csv_import import CsvProblem
from smresidency.cohorts.forms_import import ImportConfirmForm, ImportUploadForm, sign, unsign
from smresidency.cohorts.services import CohortError, active_count
from smresidency.extensions import db


def _managed(cohort_id: int):
    """The cohort if this user may manage it; 404 hides the others."""
    cohort = cohort_or_none(current_user, cohort_id, manage=True)
    if cohort is None:
        abort(404)
    return cohort


def _upload_page(cohort, form, status: int = 200):
    places = cohort.capacity - active_count(cohort.id)
    page = render_template("cohorts/import_upload.html", cohort=cohort, form=form, places=places)
    return page, status


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@allow("coordinator")
def import_upload(cohort_id: int):
    cohort = _managed(cohort_id)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _upload_page(cohort, form, 400 if form.errors else 200)
    limit = current_app.config["CSV_MAX_BYTES"]
    try:
        text, encoding = csv_import.decode(form.file.data.read(limit + 1), limit)
        report = csv_import.preview(cohort, text, encoding)
        confirm = ImportConfirmForm(formdata=None, payload=sign(cohort.id, text, encoding))
    except CsvProblem as err:
        form.file.errors.append(str(err))
        return _upload_page(cohort, form, 400)
    return render_template(
        "cohorts/import_report.html", cohort=cohort, report=report, confirm=confirm, done=False
    )


@bp.post("/cohorts/<int:cohort_id>/import/confirm")
@allow("coordinator")
def import_confirm(cohort_id: int):
    cohort = _managed(cohort_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(
            400, "The confirmation was incomplete, so nothing was enrolled. Upload the file again."
        )
    try:
        text, encoding = unsign(form.payload.data, cohort.id)
        report = csv_import.run_import(
            cohort, text, encoding, by=current_user._get_current_object()
        )
    except CsvProblem as err:
        abort(400, str(err))
    except (CohortError, AccountError) as err:
        # The boundary would roll back too (409); doing it now keeps the page's counts true.
        db.session.rollback()
        upload = ImportUploadForm(formdata=None)
        upload.form_errors.append(f"Nothing was enrolled: {err} Upload the file again.")
        return _upload_page(cohort, upload, 409)
    return render_template(
        "cohorts/import_report.html",
        cohort=cohort,
        report=report,
        done=True,
    )
