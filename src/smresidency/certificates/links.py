"""Addresses a certificate needs: its verification page, the issuer, LinkedIn's add form."""

from urllib.parse import urlencode

from flask import current_app, request, url_for


def base_url() -> str:
    """BASE_URL when configured (stable across hosts), else the address of this request."""
    configured = current_app.config.get("BASE_URL")
    return (configured or request.host_url).rstrip("/")


def verify_url(cert) -> str:
    return f"{base_url()}{url_for('certificates.verify_code', code=cert.code)}"


def linkedin_url(cert) -> str:
    """LinkedIn's "add licence or certification" form with every field filled in."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": cert.course_title,
        "organizationName": cert.organisation or current_app.config["SITE_NAME"],
        "issueYear": cert.issued_at.year,
        "issueMonth": cert.issued_at.month,
        "certId": cert.serial,
        "certUrl": verify_url(cert),
    }
    if cert.expires_at is not None:
        params["expirationYear"] = cert.expires_at.year
        params["expirationMonth"] = cert.expires_at.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)
