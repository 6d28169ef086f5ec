"""What the issuer publishes for verifiers: its profile, keys, revocation list, achievements.

None of it depends on who asks, so shared caches may keep it for a few minutes.
"""

from flask import Response, abort, current_app, render_template, request

from smresidency.access import PUBLIC, allow
from smresidency.catalog.queries import course_by_slug
from smresidency.certificates import bp, credential, keys, links, status
from smresidency.db import utcnow
from smresidency.security import public_cache


def signing_key_or_503() -> keys.SigningKey:
    """The current key, or a page saying signed documents are not available yet."""
    try:
        return keys.current(current_app.instance_path)
    except keys.NoSigningKey:
        message = (
            "Signed credentials are not available yet: this site has no signing key. "
            "PDF certificates and their verification pages work as usual."
        )
        page = render_template(
            "errors/error.html", code=503, title="Not available yet", description=message
        )
        abort(Response(page, status=503, mimetype="text/html"))


@bp.get("/issuer.json")
@bp.get("/issuer")
@allow(PUBLIC)
def issuer():
    """The issuer Profile at a stable URL: JSON-LD for programs (and `.json`), a page for
    browsers; named from the site settings."""
    from smresidency.admin.settings import site_settings

    base, site = links.base_url(), site_settings()
    data = {
        "@context": [credential.VC_CONTEXT, credential.OB_CONTEXT],
        "id": f"{base}/issuer",
        "type": ["Profile"],
        "name": site.organisation_name,
        "url": base + "/",
    }
    if site.support_email:
        data["email"] = site.support_email
    if site.has_logo:
        data["image"] = {"id": f"{base}/branding/logo?v={site.version}", "type": "Image"}
    best = request.accept_mimetypes.best_match(
        ["application/ld+json", "application/json", "text/html"], "application/json"
    )
    if request.path.endswith(".json") or best != "text/html":
        response = current_app.response_class(
            current_app.json.dumps(data),
            mimetype=best if best != "text/html" else "application/json",
        )
    else:
        response = current_app.make_response(
            render_template("certificates/issuer.html", issuer=data, site=site)
        )
    response.vary.add("Accept")
    return public_cache(response, 3600)


@bp.get("/.well-known/jwks.json")
@allow(PUBLIC)
def jwks():
    """Every public key ever used to sign credentials, current and retired.

    Each `kid` is the one credentials name in their header, so JOSE libraries find the key.
    """
    issuer_id = f"{links.base_url()}/issuer"
    published = [
        {**k, "kid": f"{issuer_id}#{k['kid']}"} for k in keys.published(current_app.instance_path)
    ]
    response = current_app.response_class(
        current_app.json.dumps({"keys": published}), mimetype="application/json"
    )
    return public_cache(response, 300)


@bp.get(status.LIST_PATH)
@allow(PUBLIC)
def status_list():
    """The signed revocation status list every credential's `credentialStatus` points to."""
    key = signing_key_or_503()
    base = links.base_url()
    data = status.list_credential(base, current_app.config["SITE_NAME"], utcnow())
    token = credential.sign(data, key, base)
    return public_cache(Response(token, mimetype="application/vc+jwt"), status.TTL_SECONDS)


@bp.get("/achievements/<slug>")
@allow(PUBLIC)
def achievement(slug: str):
    """What `achievement.id` in a credential resolves to: the achievement and its criteria,
    as a page for people and as Open Badges JSON-LD for programs that ask for JSON."""
    course = course_by_slug(slug) or abort(404)
    base = links.base_url()
    data = {
        "@context": [credential.VC_CONTEXT, credential.OB_CONTEXT],
        "id": credential.achievement_id(base, course.slug),
        "type": ["Achievement"],
        "name": course.title,
        "description": course.summary or course.title,
        "criteria": {"narrative": credential.CRITERIA},
        "achievementType": "Certificate",
        "creator": {"id": f"{base}/issuer", "type": ["Profile"]},
    }
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/ld+json", "application/json"]
    )
    if best in ("application/ld+json", "application/json"):
        response = current_app.response_class(current_app.json.dumps(data), mimetype=best)
    else:
        response = current_app.make_response(
            render_template("certificates/achievement.html", course=course, achievement=data)
        )
    response.vary.add("Accept")
    return public_cache(response, 3600)
