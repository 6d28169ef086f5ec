"""The resident's certificate, downloads, the public verification pages and issuer keys."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency import ratelimit
from smresidency.access import PUBLIC, SIGNED_IN, allow
from smresidency.certificates import bp, credential, keys, links, queries, services
from smresidency.certificates.forms import RevokeForm, VerifyForm
from smresidency.db import utcnow


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
    from smresidency.certificates.pdf import certificate_pdf

    cert, _ = _own_or_404(cert_id)
    paper = request.args.get("paper", "a4")
    if paper not in ("a4", "letter"):
        abort(404)
    body = certificate_pdf(cert, links.verify_url(cert), paper)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{cert.serial}-{paper}.pdf"'},
    )


def _signed(cert, course) -> tuple[dict, str]:
    try:
        key = keys.current(current_app.instance_path)
    except keys.NoSigningKey:
        abort(503, "The signed credential is not available yet: no signing key is set up.")
    data = credential.build(cert, links.base_url(), course.slug, course.summary)
    return data, credential.sign(data, key, links.base_url())


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


@bp.get("/issuer")
@allow(PUBLIC)
def issuer():
    """The issuer Profile, JSON-LD, at a stable URL."""
    base = links.base_url()
    return {
        "@context": [credential.VC_CONTEXT, credential.OB_CONTEXT],
        "id": f"{base}/issuer",
        "type": ["Profile"],
        "name": current_app.config["SITE_NAME"],
        "url": base + "/",
    }


@bp.get("/.well-known/jwks.json")
@allow(PUBLIC)
def jwks():
    """Every public key ever used to sign credentials, current and retired."""
    response = current_app.response_class(
        current_app.json.dumps({"keys": keys.published(current_app.instance_path)}),
        mimetype="application/json",
    )
    response.cache_control.max_age = 300
    return response


def _throttled() -> bool:
    limit = current_app.config["VERIFY_MAX_PER_MINUTE"]
    return not ratelimit.limit("verify", request.remote_addr or "-", limit, 60)


@bp.route("/verify", methods=["GET"])
@allow(PUBLIC)
def verify():
    form = VerifyForm(request.args, meta={"csrf": False})
    if request.args.get("code") and form.validate():
        return redirect(url_for("certificates.verify_code", code=form.code.data))
    return render_template("certificates/verify.html", form=form)


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
    return render_template(
        "certificates/verify_result.html", cert=cert, status=cert.status(utcnow())
    )


@bp.route("/cohorts/<int:cohort_id>/certificates", methods=["GET"])
@allow("coordinator", "instructor")
def cohort_list(cohort_id: int):
    from smresidency.cohorts.access import cohort_or_none

    cohort = cohort_or_none(current_user, cohort_id) or abort(404)
    manage = cohort_or_none(current_user, cohort_id, manage=True) is not None
    return render_template(
        "certificates/cohort.html",
        cohort=cohort,
        certs=queries.of_cohort(current_user, cohort_id),
        manage=manage,
        form=RevokeForm(),
        now=utcnow(),
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
    if form.validate_on_submit():
        try:
            services.revoke(cert, current_user.id, form.reason.data)
        except services.CertificateError as err:
            flash(str(err), "error")
        else:
            flash(
                f"Certificate {cert.serial} is revoked. Its verification page now says so.",
                "success",
            )
    else:
        flash("Say why the certificate is revoked.", "error")
    return redirect(url_for("certificates.cohort_list", cohort_id=cohort_id))
