"""The studio's image upload form: the file, its alt text, and the name lessons will use."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from smresidency.catalog.images import IMAGE_NAME

MODULE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # a module's slug without its number
NAME_RULE = (
    "use lower-case letters, digits, dots, dashes and underscores, ending in "
    ".png, .jpg, .jpeg, .webp or .svg (for example team-photo.jpg)"
)


def _one_line(value: str | None) -> str | None:
    return re.sub(r"\s+", " ", value).strip() if value is not None else None


def _stripped(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def default_name(filename: str | None) -> str:
    """The uploaded file's own name as lessons will write it: lower case, dashes for spaces."""
    base = re.split(r"[\\/]", filename or "")[-1]
    return re.sub(r"\s+", "-", base.strip()).lower()


class ImageUploadForm(FlaskForm):
    file = FileField(
        "Image file",
        description="PNG, JPEG or WebP up to 2 MB, or SVG up to 512 KB.",
        validators=[FileRequired("Choose an image file to upload.")],
        render_kw={
            "accept": ".png,.jpg,.jpeg,.webp,.svg,image/png,image/jpeg,image/webp,image/svg+xml"
        },
    )
    alt = StringField(
        "Alt text",
        description=(
            "What the image shows or means, in a sentence, for people who cannot see it: "
            "screen readers read it aloud, and it is shown when the image cannot load."
        ),
        filters=[_one_line],
        validators=[
            DataRequired("Describe the image for people who cannot see it."),
            Length(max=300, message="Keep the alt text under 300 characters."),
        ],
    )
    name = StringField(
        "File name (optional)",
        description=f"Leave empty to use the uploaded file's name. Otherwise {NAME_RULE}.",
        filters=[_stripped],
        validators=[Optional(), Regexp(IMAGE_NAME, message=f"For the file name, {NAME_RULE}.")],
    )
    back = HiddenField(filters=[_stripped])

    def image_name(self) -> str:
        """The name chosen, or the uploaded file's own name made lesson-friendly."""
        return self.name.data or default_name(getattr(self.file.data, "filename", None))

    def back_module(self) -> str | None:
        """The module to return to, if it looks like one (it only ever builds a link)."""
        value = self.back.data or ""
        return value if MODULE_NAME.fullmatch(value) else None
