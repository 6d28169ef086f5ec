"""Re-issuing a certificate under the holder's corrected name, after a confirmation page."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.certificates import bp, queries, reissue
from smresidency.certificates.forms import ReissueForm
from smresidency.certificates.services import CertificateError


def _certificate(cohort_id: int, cert_id: int):
    """The certificate, if it belongs to a cohort this person runs (else 404)."""
    from smresidency.cohorts.access import cohort_or_none

    cohort = cohort_or_none(current_user, cohort_id, manage=True) or abort(404)
    cert = queries.for_staff(current_user, cert_id)
    if cert is None or cert.cohort_id != cohort.id:
        abort(404)
    return cohort, cert


@bp.route("/cohorts/<int:cohort_id>/certificates/<int:cert_id>/reissue", methods=["GET", "POST"])
@allow("coordinator")
def reissue_certificate(cohort_id: int, cert_id: int):
    """The page shows the old and the new name and asks why; its button re-issues."""
    cohort, cert = _certificate(cohort_id, cert_id)
    form = ReissueForm()
    try:
        new_name = reissue.check(cert)
    except CertificateError as err:
        page = render_template("certificates/reissue.html", cohort=cohort, cert=cert, refusal=err)
        return page, 409 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            new = reissue.reissue(cert, current_user._get_current_object(), form.reason.data)
        except CertificateError as err:
            form.form_errors.append(str(err))
        else:
            flash(
                f"{cert.serial} is replaced by {new.serial} in the name {new.recipient_name}. "
                "The holder was told by e-mail; the old code's page links the new certificate.",
                "success",
            )
            return redirect(url_for("certificates.cohort_list", cohort_id=cohort.id))
    status = 422 if form.errors or form.form_errors else 200
    page = render_template(
        "certificates/reissue.html", cohort=cohort, cert=cert, new_name=new_name, form=form
    )
    return page, status
