"""The resident's certificate and its downloads, the public verification pages, revoking."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency import ratelimit
from smresidency.access import PUBLIC, SIGNED_IN, allow
from smresidency.certificates import (
    bp,
    checking,
    credential,
    keys,
    links,
    queries,
    services,
    status,
    stored,
)
from smresidency.certificates.forms import CredentialForm, RevokeForm, VerifyForm
from smresidency.certificates.public import signing_key_or_503
from smresidency.db import utcnow
from smresidency.jobs.models import FAILED
from smresidency.security import public_cache


def _own_or_404(cert_id: int):
    return queries.own_one(current_user.id, cert_id) or abort(404)


@bp.get("/certificates")
@allow(SIGNED_IN)
def mine():
    return render_template("certificates/mine.html", rows=queries.own(current_user.id))


@bp.get("/certificates/<int:cert_id>")
@allow(SIGNED_IN)
def show(cert_id: int):
    cert, course = _own_or_404(cert_id)
    return render_template(
        "certificates/show.html",
        cert=cert,
        course=course,
        status=cert.status(utcnow()),
        verify_url=links.verify_url(cert),
        linkedin_url=links.linkedin_url(cert),
    )


@bp.get("/certificates/<int:cert_id>.pdf")
@allow(SIGNED_IN)
def pdf(cert_id: int):
    """The kept PDF, read from the database; a missing one is asked of the job queue."""
    cert, _ = _own_or_404(cert_id)
    paper = request.args.get("paper", "a4")
    if paper not in stored.PAPERS:
        abort(404)
    found = stored.current(cert, paper)
    if found.row is None and current_app.config["JOBS_EAGER"]:
        found = stored.make_here(cert, paper)  # no worker: this process is the queue
    if found.row is None:
        failed = stored.request_pdf(cert, paper, found.inputs) == FAILED
        page = render_template(
            "certificates/pdf_preparing.html", cert=cert, paper=paper, failed=failed, refresh=5
        )
        return page, 503 if failed else 202, {} if failed else {"Refresh": "5"}
    response = Response(
        found.row.body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{cert.serial}-{paper}.pdf"'},
    )
    response.set_etag(found.row.body_sha256)
    return response.make_conditional(request)


def _signed(cert, course) -> tuple[dict, str]:
    """The credential, with its place in the revocation status list, and its VC-JWT."""
    key = signing_key_or_503()
    base = links.base_url()
    entry = status.entry(base, status.assign_index(cert))
    data = credential.build(cert, base, course.slug, course.summary, entry)
    return data, credential.sign(data, key, base)


@bp.get("/certificates/<int:cert_id>/credential.<fmt>")
@allow(SIGNED_IN)
def download(cert_id: int, fmt: str):
    cert, course = _own_or_404(cert_id)
    if fmt not in ("json", "jwt"):
        abort(404)
    data, token = _signed(cert, course)
    name = f"{cert.serial}.{fmt}"
    if fmt == "jwt":
        return Response(
            token,
            mimetype="application/vc+jwt",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    body = {
        **data,
        "proof": [
            {"type": "EnvelopedVerifiableCredential", "id": f"data:application/vc+jwt,{token}"}
        ],
    }
    response = current_app.response_class(
        current_app.json.dumps(body, indent=2), mimetype="application/ld+json"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _throttled() -> bool:
    """Count this check first, then compare. A GET begins SQLite's transaction deferred, and
    one that reads before it writes fails ("database is locked") when checks come at once;
    a transaction whose first statement writes waits its turn instead."""
    key = request.remote_addr or "-"
    ratelimit.hit("verify", key, 60)
    return ratelimit.count("verify", key, 60) > current_app.config["VERIFY_MAX_PER_MINUTE"]


@bp.route("/verify", methods=["GET"])
@allow(PUBLIC)
def verify():
    form = VerifyForm(request.args, meta={"csrf": False})
    if request.args.get("code") and form.validate():
        code = "".join(ch for ch in form.code.data.upper() if ch.isalnum())
        return redirect(url_for("certificates.verify_code", code=code))
    page = current_app.make_response(render_template("certificates/verify.html", form=form))
    return public_cache(page, 300) if not form.errors else page


@bp.get("/verify/<code>")
@allow(PUBLIC)
def verify_code(code: str):
    if _throttled():
        return render_template(
            "certificates/verify.html", form=VerifyForm(meta={"csrf": False}), throttled=True
        ), 429
    cert = queries.by_code(code)
    if cert is None:
        return render_template("certificates/verify_result.html", cert=None, code=code), 404
    page = render_template(
        "certificates/verify_result.html",
        cert=cert,
        status=cert.status(utcnow()),
        replacement=queries.replacement(cert),
    )
    return public_cache(current_app.make_response(page), 60)  # a revocation shows within a minute


@bp.route("/verify/credential", methods=["GET", "POST"])
@allow(PUBLIC)
def verify_credential():
    """Check a credential file against this site's keys and its own signed status list."""
    form = CredentialForm()
    if request.method == "GET":
        return render_template("certificates/verify_credential.html", form=form)
    if _throttled():
        page = render_template("certificates/verify_credential.html", form=form, throttled=True)
        return page, 429
    text = form.credential_text() if form.validate_on_submit() else None
    if text is None:
        return render_template("certificates/verify_credential.html", form=form), 422
    base = links.base_url()
    outcome = checking.check(
        text,
        keys.published(current_app.instance_path),
        f"{base}/issuer",
        lambda url: _own_status_list(url, base),
        utcnow(),
    )
    return render_template("certificates/verify_credential.html", form=form, outcome=outcome)


def _own_status_list(url: str, base: str) -> str | None:
    """This site's signed status list, made here rather than fetched over the network; a list
    anywhere else is not fetched from the server (None: it could not be checked)."""
    if url != status.list_url(base):
        return None
    try:
        key = keys.current(current_app.instance_path)
    except keys.NoSigningKey:
        return None
    data = status.list_credential(base, current_app.config["SITE_NAME"], utcnow())
    return credential.sign(data, key, base)


@bp.route("/cohorts/<int:cohort_id>/certificates", methods=["GET"])
@allow("coordinator", "instructor")
def cohort_list(cohort_id: int):
    return _cohort_page(cohort_id)


def _cohort_page(cohort_id: int, error: str | None = None) -> str:
    from smresidency.cohorts.access import cohort_or_none

    cohort = cohort_or_none(current_user, cohort_id) or abort(404)
    manage = cohort_or_none(current_user, cohort_id, manage=True) is not None
    return render_template(
        "certificates/cohort.html",
        cohort=cohort,
        certs=queries.of_cohort(current_user, cohort_id),
        manage=manage,
        holders=queries.holder_names(cohort_id) if manage else {},
        form=RevokeForm(formdata=None),
        now=utcnow(),
        error=error,
    )


@bp.post("/cohorts/<int:cohort_id>/certificates/<int:cert_id>/revoke")
@allow("coordinator")
def revoke(cohort_id: int, cert_id: int):
    from smresidency.cohorts.access import cohort_or_none

    cohort_or_none(current_user, cohort_id, manage=True) or abort(404)
    cert = queries.for_staff(current_user, cert_id)
    if cert is None or cert.cohort_id != cohort_id:
        abort(404)
    form = RevokeForm()
    try:
        if not form.validate_on_submit():
            blank = not (form.reason.data or "").strip()
            raise services.CertificateError(
                "Say why the certificate is revoked." if blank else form.reason.errors[0]
            )
        if form.confirmed.data != "yes":
            form.confirmed.data = "yes"  # the confirmation page's button carries it
            page = render_template(
                "certificates/revoke_confirm.html", cert=cert, cohort_id=cohort_id, form=form
            )
            return page, 200
        services.revoke(cert, current_user.id, form.reason.data)
    except services.CertificateError as err:
        return _cohort_page(cohort_id, error=f"{cert.serial} was not revoked: {err}"), 422
    flash(f"Certificate {cert.serial} is revoked. Its verification page now says so.", "success")
    return redirect(url_for("certificates.cohort_list", cohort_id=cohort_id))
