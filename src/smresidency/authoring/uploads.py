"""The studio's images page: upload PNG, JPEG, WebP or SVG with alt text; copy the Markdown."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.authoring import assets
from smresidency.authoring.blueprint import bp
from smresidency.authoring.forms_images import MODULE_NAME, NAME_RULE, ImageUploadForm
from smresidency.authoring.views import course_or_404
from smresidency.catalog.images import IMAGE_NAME, MAX_RASTER_BYTES, ImageRejected
from smresidency.catalog.models import Course


def editor_url(course_slug: str, module: str | None) -> str | None:
    """The link back to the module the author came from, when they came from one."""
    if not module:
        return None
    return url_for("studio.edit", course_slug=course_slug, kind="modules", key=module)


def _sentence(err: Exception) -> str:
    """A checker's message (written for `file: message` lines) as a sentence under a field."""
    text = str(err)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def human_size(size: int) -> str:
    """Bytes as people read them on the images page."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _page(course: Course, form: ImageUploadForm, status: int = 200):
    module = form.back_module()
    page = render_template(
        "authoring/images.html",
        course=course,
        form=form,
        images=assets.list_images(course.id),
        back_url=editor_url(course.slug, module),
        human_size=human_size,
    )
    return page, status


@bp.get("/<course_slug>/images")
@allow("instructor")
def images(course_slug: str):
    """The course's images with the Markdown to paste, and the form to add one."""
    course = course_or_404(course_slug)
    module = request.args.get("module", "")
    form = ImageUploadForm(formdata=None, back=module if MODULE_NAME.fullmatch(module) else "")
    return _page(course, form)


@bp.post("/<course_slug>/images")
@allow("instructor")
def upload_image(course_slug: str):
    """Store one checked image; a refusal keeps what was typed and says what to change."""
    course = course_or_404(course_slug)
    form = ImageUploadForm()
    if not form.validate_on_submit():
        return _page(course, form, 422)
    name = form.image_name()
    if not IMAGE_NAME.fullmatch(name):
        form.name.errors.append(f"“{name}” cannot be used as it is: {NAME_RULE}.")
        return _page(course, form, 422)
    data = form.file.data.read(MAX_RASTER_BYTES + 1)  # one byte over is enough to refuse
    try:
        added = assets.add_image(course, name, data, form.alt.data, current_user.id)
    except assets.NameTaken as err:
        form.name.errors.append(_sentence(err))
        return _page(course, form, 422)
    except ImageRejected as err:
        form.file.errors.append(_sentence(err))
        return _page(course, form, 422)
    snippet = assets.markdown_snippet(form.alt.data, added.asset.path)
    done = {
        "added": f"Uploaded {name}.",
        "unchanged": f"{name} was already uploaded with exactly these bytes; nothing changed.",
        "restored": f"{name} is back among the course's images.",
    }[added.outcome]
    flash(f"{done} To show it in a lesson, paste: {snippet}", "success")
    back = form.back_module()
    return redirect(url_for("studio.images", course_slug=course.slug, module=back), 303)
