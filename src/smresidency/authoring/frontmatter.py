"""A module file as form fields and back, keeping the author's own front matter when unchanged.

Git authors format front matter their own way; re-emitting it on every save would make
every studio edit a noisy diff. So untouched fields keep the original text byte for byte.
"""

from dataclasses import dataclass, field

import yaml

from smresidency.catalog.loader import split_front_matter
from smresidency.catalog.problems import Reporter


@dataclass
class ModuleFields:
    title: str = ""
    minutes: int | None = None
    objectives: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    body: str = ""


def split_module(text: str) -> tuple[ModuleFields, str | None]:
    """The fields of a module text and its front matter block (None if it does not parse)."""
    problems: list = []
    data, _, body, body_line = split_front_matter(text, Reporter("module", problems))
    if not isinstance(data, dict) or problems:
        return ModuleFields(body=text), None
    minutes = data.get("minutes")
    fields = ModuleFields(
        title=str(data.get("title") or ""),
        minutes=minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else None,
        objectives=[str(o) for o in data.get("objectives") or [] if o is not None],
        requires=[str(r) for r in data.get("requires") or [] if r is not None],
        body=body,
    )
    lines = text.split("\n")
    return fields, "\n".join(lines[: body_line - 1]) + "\n"


def body_offset(text: str) -> int:
    """How many file lines come before the body (to map file lines to textarea lines)."""
    _, front = split_module(text)
    return front.count("\n") if front else 0


def compose_module(fields: ModuleFields, original: str | None = None) -> str:
    """The module file for these fields; the original front matter is kept if they match it."""
    body = fields.body.replace("\r\n", "\n")
    if original:
        before, front = split_module(original)
        if front is not None and _same_front(before, fields):
            return front + body
    return front_matter(fields) + body


def front_matter(fields: ModuleFields) -> str:
    """Front matter in the house style: one key per line, objectives as a list, requires inline."""
    out = ["---", f"title: {_scalar(fields.title)}", f"minutes: {fields.minutes or 0}"]
    if fields.objectives:
        out.append("objectives:")
        out.extend(f"  - {_scalar(o)}" for o in fields.objectives)
    else:
        out.append("objectives: []")
    out.append("requires: [" + ", ".join(_scalar(r) for r in fields.requires) + "]")
    out.append("---")
    return "\n".join(out) + "\n"


def _same_front(a: ModuleFields, b: ModuleFields) -> bool:
    return (a.title, a.minutes, a.objectives, a.requires) == (
        b.title,
        b.minutes,
        b.objectives,
        b.requires,
    )


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly `value` (quoted only when it must be)."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**6).rstrip("\n")
    return dumped.removesuffix("\n...")
