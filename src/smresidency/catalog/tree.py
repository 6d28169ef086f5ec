"""A course directory as a mapping of relative paths to bytes: what sync reads and export writes.

Only the files the content format knows are part of a course: `course.md`, `immersion.md`,
`plan.md`, `modules/NN-slug.md` and images. Anything else in the directory is left alone.
"""

import hashlib
from pathlib import Path

from smresidency.catalog.images import SUFFIX_TYPES

TEXT_FILES = ("course.md", "immersion.md", "plan.md")


def is_course_file(relative: str) -> bool:
    """Whether a path inside a course directory belongs to the course (and to its export)."""
    parts = relative.split("/")
    if any(p.startswith(".") or not p for p in parts):
        return False
    if relative in TEXT_FILES:
        return True
    if len(parts) == 2 and parts[0] == "modules" and relative.endswith(".md"):
        return True
    return Path(relative).suffix.lower() in SUFFIX_TYPES


def read_tree(course_dir: Path) -> dict[str, bytes]:
    """Every course file below `course_dir`, keyed by its path relative to it (with /)."""
    tree = {}
    for path in sorted(course_dir.rglob("*")):
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(course_dir).as_posix()
            if is_course_file(relative):
                tree[relative] = path.read_bytes()
    return tree


def images_of(tree: dict[str, bytes]) -> dict[str, bytes]:
    """The image files of a tree."""
    return {p: b for p, b in tree.items() if not p.endswith(".md")}


def tree_hash(tree: dict[str, bytes]) -> str:
    """One digest for a whole course: equal trees, equal hashes, whatever the order."""
    digest = hashlib.sha256()
    for path in sorted(tree):
        digest.update(path.encode() + b"\0" + hashlib.sha256(tree[path]).digest())
    return digest.hexdigest()


def write_tree(tree: dict[str, bytes], course_dir: Path) -> None:
    """Make `course_dir` hold exactly `tree` among its course files; other files stay."""
    course_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(course_dir.rglob("*")):
        relative = path.relative_to(course_dir).as_posix()
        if path.is_file() and is_course_file(relative) and relative not in tree:
            path.unlink()
    for relative, data in tree.items():
        target = course_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
