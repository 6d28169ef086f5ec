"""Site settings (admin) and what every visitor gets from them: colours, logo, footer pages."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from smresidency.access import PUBLIC, allow
from smresidency.admin import branding, settings
from smresidency.admin.forms import SettingsForm
from smresidency.admin.views import bp
from smresidency.catalog.images import ImageRejected

CACHE_A_YEAR = "public, max-age=31536000, immutable"  # URLs carry the settings version


def _upload(field, remove) -> branding.Upload:
    data = field.data
    if data and getattr(data, "filename", ""):
        return branding.Upload(data.filename, data.read(), remove)
    return branding.Upload(remove=remove)


@bp.route("/admin/settings", methods=["GET", "POST"])
@allow("admin")
def site_settings():
    """Branding, the certificate signer and the footer pages."""
    row = branding.saved_row()
    saved = {name: getattr(row, name) for name in branding.TEXT_FIELDS} if row else {}
    form = SettingsForm(data=saved)
    if form.validate_on_submit():
        logo = _upload(form.logo, form.remove_logo.data)
        signature = _upload(form.signature, form.remove_signature.data)
        for field, upload in ((form.logo, logo), (form.signature, signature)):
            try:
                branding.check_image(upload)
            except ImageRejected as err:
                field.errors.append(f"This image cannot be used: {err}.")
        if not form.logo.errors and not form.signature.errors:
            values = {name: form[name].data for name in branding.TEXT_FIELDS}
            changed = branding.save_settings(current_user, values, logo, signature)
            flash("Settings saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("admin.site_settings"))
    status = 422 if form.errors or form.logo.errors or form.signature.errors else 200
    page = render_template(
        "admin/settings.html",
        form=form,
        site=settings.site_settings(),
        config_keys=settings.CONFIG_KEYS,
        row=row,
    )
    return page, status


@bp.get("/admin/settings/signature")
@allow("admin")
def signature_image():
    """The signature image, for the admin to check; it is printed only on certificates."""
    return _image("signature", "private, no-store")


@bp.get("/branding.css")
@allow(PUBLIC)
def branding_css():
    """The accent colour as CSS custom properties (the CSP allows only same-site styles)."""
    colour = settings.site_settings().accent_colour
    css = ""
    if colour:
        css = f":root {{ --brand: {colour}; --brand-dark: {_darker(colour)}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": CACHE_A_YEAR})


def _darker(colour: str) -> str:
    """The header and hover shade: the accent at 70% brightness."""
    channels = [int(colour[i : i + 2], 16) * 7 // 10 for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


@bp.get("/branding/logo")
@allow(PUBLIC)
def logo():
    return _image("logo", CACHE_A_YEAR)


def _image(kind: str, cache: str) -> Response:
    found = settings.image(kind)
    if found is None:
        abort(404)
    data, content_type = found
    headers = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if content_type == "image/svg+xml":
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return Response(data, mimetype=content_type, headers=headers)


@bp.get("/pages/<any(privacy, accessibility, terms):slug>")
@allow(PUBLIC)
def footer_page(slug: str):
    """A footer page written by the admins; 404 until it has text."""
    site = settings.site_settings()
    if slug not in site.pages:
        abort(404)
    return render_template(
        "admin/footer_page.html", title=settings.PAGES[slug], body=site.pages[slug]
    )
