"""Read an uploaded course .zip into a temporary directory without trusting anything in it.

The archive is checked as a whole before one byte is written: its size, its number of
entries, every name (no absolute paths, no `..`, no links) and its layout. Only course files
(`catalog.tree.is_course_file`) are written; the rest is reported as ignored.
"""

import io
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from smresidency.catalog.loader import COURSE_SLUG
from smresidency.catalog.tree import is_course_file

MAX_ENTRIES = 500
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_SLUG_LENGTH = 100  # Course.slug
NOISE = ("__MACOSX",)  # folders archivers add beside the content
DRIVE = re.compile(r"^[A-Za-z]:")
TEMP_PREFIX = "smr-import-"  # the folder an import unpacks into, removed when it ends
STALE_AFTER = 3600  # seconds: an import takes seconds, so an hour-old folder was abandoned


class ZipRejected(ValueError):
    """The upload cannot be imported; the message tells the instructor why."""


class SlugNeeded(ZipRejected):
    """The course's slug given (or taken from the file's name) is not a valid slug."""


@dataclass
class Unpacked:
    """A course read from a zip: `root/slug/` holds its files, ready for `sync_content`."""

    slug: str
    root: Path
    files: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def sweep_stale(root: Path | None = None, max_age: float = STALE_AFTER) -> int:
    """Remove import folders that a killed worker left behind; returns how many went.

    Only our own `smr-import-*` folders older than `max_age` are touched, so an import
    running in another worker keeps its files.
    """
    root = Path(root or tempfile.gettempdir())
    cutoff = time.time() - max_age
    removed = 0
    for path in root.glob(TEMP_PREFIX + "*"):
        try:
            info = path.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_mtime > cutoff:
                continue
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue
            shutil.rmtree(path)
        except OSError:
            continue  # gone already, or not ours to remove
        removed += 1
    return removed


def valid_slug(slug: str) -> bool:
    """Whether a name can be a course's slug (its directory name and its URLs)."""
    return bool(COURSE_SLUG.match(slug)) and len(slug) <= MAX_SLUG_LENGTH


def unpack_course(data: bytes, filename: str, slug: str, dest: Path) -> Unpacked:
    """Write the course in the zip `data` to `dest/<slug>/`; ZipRejected says what is wrong.

    The zip holds either one top-level `<slug>/` folder or `course.md` at its root. `slug`,
    when given, names the course whatever the zip says; otherwise the folder's name, or the
    zip file's name for a zip with course.md at its root.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as err:
        raise ZipRejected("The file is not a .zip archive (or it is damaged).") from err
    with archive:
        entries = _checked_entries(archive)
        prefix, folder, ignored = _layout(entries)
        slug = (slug or "").strip() or folder or _stem_slug(filename)
        if not valid_slug(slug):
            raise SlugNeeded(
                f"`{slug}` cannot be a course's slug: use lower-case letters, digits and "
                "single hyphens (at most 100 characters)."
            )
        unpacked = Unpacked(slug=slug, root=dest, ignored=list(ignored))
        outside = set(ignored)
        course_dir = dest / slug
        budget = MAX_TOTAL_BYTES
        for name, info in entries.items():
            if name in outside:
                continue
            relative = name[len(prefix) :]
            if not is_course_file(relative):
                unpacked.ignored.append(name)
                continue
            content = _read(archive, info, name, budget)
            budget -= len(content)
            target = course_dir / relative
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            except OSError as err:
                raise ZipRejected(
                    f"`{name}` in the zip cannot be written ({err.strerror})."
                ) from err
            unpacked.files.append(relative)
    unpacked.ignored.sort()
    return unpacked


def _checked_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by normalised name, after checks that need no decompression."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ZipRejected(
            f"The zip holds {len(infos)} entries; a course zip may hold at most {MAX_ENTRIES}."
        )
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise _too_large()
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        raw = info.filename
        name = raw.replace("\\", "/")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if name.startswith("/") or DRIVE.match(name):
            raise ZipRejected(f"`{raw}` in the zip is an absolute path; paths must be relative.")
        if ".." in parts:
            raise ZipRejected(f"`{raw}` in the zip points outside its folder (`..`).")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ZipRejected(f"`{raw}` in the zip is a symbolic link; links are not accepted.")
        if info.flag_bits & 0x1:
            raise ZipRejected(f"`{raw}` in the zip is encrypted; export it without a password.")
        if info.is_dir() or not parts:
            continue
        normalised = "/".join(parts)
        if normalised in entries:
            raise ZipRejected(f"`{normalised}` appears twice in the zip.")
        entries[normalised] = info
    return entries


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> bytes:
    """One entry's bytes, never more than what is left of the size budget."""
    try:
        with archive.open(info) as handle:
            content = handle.read(budget + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as err:
        raise ZipRejected(
            f"`{name}` in the zip is damaged or uses a compression method we cannot read."
        ) from err
    if len(content) > budget:
        raise _too_large()
    return content


def _layout(entries: dict[str, zipfile.ZipInfo]) -> tuple[str, str, list[str]]:
    """(prefix of the course's files, the folder's name or '', names outside the course)."""
    noise = [n for n in entries if n.split("/")[0] in NOISE or n.startswith(".")]
    names = [n for n in entries if n not in noise]
    if "course.md" in names:
        return "", "", noise
    tops = sorted({n.split("/")[0] for n in names if "/" in n})
    loose = sorted(n for n in names if "/" not in n)
    if len(tops) == 1 and f"{tops[0]}/course.md" in names:
        return f"{tops[0]}/", tops[0], sorted(noise + loose)
    if len(tops) > 1 and any(f"{t}/course.md" in names for t in tops):
        shown = ", ".join(f"{t}/" for t in tops)
        raise ZipRejected(
            f"The zip holds several top-level folders ({shown}); import one course at a time."
        )
    raise ZipRejected(
        "No course.md found: the zip must hold one course, either a single folder "
        "`<slug>/` with course.md in it, or course.md at the zip's root."
    )


def _stem_slug(filename: str) -> str:
    stem = PurePosixPath((filename or "").replace("\\", "/")).name
    return stem[: -len(".zip")] if stem.lower().endswith(".zip") else stem


def _too_large() -> ZipRejected:
    limit = MAX_TOTAL_BYTES // (1024 * 1024)
    return ZipRejected(f"The zip's files add up to more than {limit} MB once unpacked.")
