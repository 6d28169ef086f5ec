"""Read `course_content/<course>/` into dataclasses, reporting every problem as file:line.

Plain Python with no Flask import: `flask content validate`, the sync and the tests share it.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from smresidency.catalog.images import SUFFIX_TYPES
from smresidency.catalog.problems import Problem, Reporter, check_keys, yaml_mapping
from smresidency.catalog.quiz import Quiz, parse_quiz
from smresidency.catalog.render import unclosed_raw_text
from smresidency.catalog.sections import Immersion, Plan, parse_immersion, parse_plan
from smresidency.text import refusal, unsafe_characters

MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
COURSE_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(\s*([^)\s]+)")  # alt may hold \[ \]
FENCE = re.compile(r"^\s*(```|~~~)")
QUIZ_HEADING = "## Quiz"

COURSE_KEYS = {
    "title": str,
    "summary": str,
    "hours": (int, float),
    "organisation": str,
    "competencies": list,
    "certificate": dict,
}
MODULE_KEYS = {"title": str, "minutes": int, "objectives": list, "requires": list}


@dataclass
class ModuleSource:
    slug: str
    path: Path
    number: int
    title: str
    minutes: int
    objectives: list[str]
    requires: list[str]
    lesson: str
    lesson_line: int
    quiz: Quiz | None
    text: str
    requires_line: int = 1

    @property
    def content_hash(self) -> str:
        """Versions are keyed by the exact bytes the author wrote."""
        return hashlib.sha256(self.text.encode()).hexdigest()


@dataclass
class Competency:
    id: str
    text: str


@dataclass
class CourseSource:
    slug: str
    path: Path
    title: str
    summary: str
    hours: float
    organisation: str
    description: str
    competencies: list[Competency]
    certificate: dict
    modules: list[ModuleSource] = field(default_factory=list)
    immersion: Immersion | None = None
    plan: Plan | None = None
    text: str = ""

    @property
    def content_hash(self) -> str:
        """Course-level files (course, immersion, plan) hashed together."""
        parts = [
            self.text,
            self.immersion.text if self.immersion else "",
            self.plan.text if self.plan else "",
        ]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def split_front_matter(text: str, report: Reporter) -> tuple[dict | None, dict, str, int]:
    """Return (front matter, key lines, body, file line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        report(1, "the file must start with `---` and YAML front matter")
        return None, {}, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            data, keylines = yaml_mapping("\n".join(lines[1:i]), 2, report)
            return data, keylines, "\n".join(lines[i + 1 :]), i + 2
    report(1, "the front matter is not closed by a `---` line")
    return None, {}, "", len(lines)


def load_content(root: Path | str) -> tuple[list[CourseSource], list[Problem]]:
    """Every course directory below `root`, and every problem found in any of them."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return [], [Problem(str(root), 1, "content directory does not exist")]
    courses = []
    for course_dir in sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        course = load_course(course_dir, problems)
        if course:
            courses.append(course)
    if not courses and not problems:
        problems.append(
            Problem(str(root), 1, "no course directory found (expected <slug>/course.md)")
        )
    return courses, sorted(problems)


def load_course(course_dir: Path, problems: list[Problem]) -> CourseSource | None:
    """One course directory; problems are appended to `problems`."""
    course_md = course_dir / "course.md"
    if not COURSE_SLUG.match(course_dir.name):
        Reporter(course_dir, problems)(
            1, "course directory names use lower-case letters, digits and -"
        )
    if not course_md.is_file():
        Reporter(course_md, problems)(1, "course.md is missing")
        return None
    report = Reporter(course_md, problems)
    text = _read(course_md, report)
    if text is None:
        return None
    data, keylines, body, _ = split_front_matter(text, report)
    if data is None:
        return None
    check_keys(data, keylines, COURSE_KEYS, {"title"}, 2, report)
    _check_printed(data, keylines, ("title", "organisation"), report)
    course = CourseSource(
        slug=course_dir.name,
        path=course_dir,
        title=str(data.get("title") or ""),
        summary=str(data.get("summary") or ""),
        hours=float(data.get("hours") or 0),
        organisation=str(data.get("organisation") or ""),
        description=body.strip(),
        competencies=_competencies(data.get("competencies"), keylines, report),
        certificate=data.get("certificate") if isinstance(data.get("certificate"), dict) else {},
        text=text,
    )
    course.modules = _load_modules(course_dir, problems)
    for name, parse in (("immersion.md", parse_immersion), ("plan.md", parse_plan)):
        path = course_dir / name
        if path.is_file():
            sub_report = Reporter(path, problems)
            sub_text = _read(path, sub_report)
            if sub_text is not None:
                setattr(course, name.removesuffix(".md"), parse(sub_text, sub_report))
    return course


def _read(path: Path, report: Reporter) -> str | None:
    """The file's text, or None (reported) when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        report(1, f"the file is not UTF-8 ({err.reason} at byte {err.start})")
        return None


def _competencies(value, keylines: dict, report: Reporter) -> list[Competency]:
    if not isinstance(value, list):
        return []
    out, seen = [], set()
    line = keylines.get("competencies", 2)
    for item in value:
        if not isinstance(item, dict) or not item.get("id") or not item.get("text"):
            report(line, "each competency needs an `id` and a `text`")
            continue
        if item["id"] in seen:
            report(line, f"duplicate competency id `{item['id']}`")
        seen.add(item["id"])
        out.append(Competency(str(item["id"]), str(item["text"])))
    return out


def _load_modules(course_dir: Path, problems: list[Problem]) -> list[ModuleSource]:
    modules_dir = course_dir / "modules"
    files = sorted(modules_dir.glob("*.md")) if modules_dir.is_dir() else []
    if not files:
        Reporter(modules_dir, problems)(1, "no modules found (expected modules/NN-slug.md)")
        return []
    modules, numbers, names = [], {}, {}
    for path in files:
        report = Reporter(path, problems)
        m = MODULE_FILE.match(path.name)
        if not m:
            report(1, "module files are named NN-slug.md (two digits, then lower-case words and -)")
            continue
        number, name = int(m.group(1)), m.group(2)
        if number in numbers:
            report(1, f"duplicate module number {m.group(1)} (also {numbers[number]})")
        if name in names:
            report(1, f"duplicate slug `{name}` (also {names[name]})")
        numbers.setdefault(number, path.name)
        names.setdefault(name, path.name)
        module = load_module(path, report)
        if module:
            modules.append(module)
    _check_requires(modules, problems)
    return modules


def _check_printed(data: dict, keylines: dict, keys: tuple[str, ...], report: Reporter) -> None:
    """Titles are printed on certificates and in mail: no hidden control characters."""
    for key in keys:
        value = data.get(key)
        found = unsafe_characters(value) if isinstance(value, str) else []
        if found:
            report(keylines.get(key, 2), f"`{key}`: {refusal(found)}")


def load_module(path: Path, report: Reporter, text: str | None = None) -> ModuleSource | None:
    """One module file (or its text, for previews) into a ModuleSource."""
    text = _read(path, report) if text is None else text.replace("\r\n", "\n")
    if text is None:
        return None
    data, keylines, body, body_line = split_front_matter(text, report)
    if data is None:
        return None
    check_keys(data, keylines, MODULE_KEYS, {"title", "minutes"}, 2, report)
    _check_printed(data, keylines, ("title",), report)
    minutes = data.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600:
        if isinstance(minutes, int):  # other types are already reported by check_keys
            report(keylines.get("minutes", 2), "`minutes` must be a whole number from 1 to 600")
        minutes = 0
    lesson, quiz = _split_quiz(body, body_line, report)
    _check_lesson(lesson, body_line, path, report)
    m = MODULE_FILE.match(path.name)
    return ModuleSource(
        slug=path.stem,
        path=path,
        number=int(m.group(1)) if m else 0,
        title=str(data.get("title") or ""),
        minutes=minutes,
        objectives=_strings(data.get("objectives"), "objectives", keylines, report),
        requires=_strings(data.get("requires"), "requires", keylines, report),
        lesson=lesson,
        lesson_line=body_line,
        quiz=quiz,
        text=text,
        requires_line=keylines.get("requires", 2),
    )


def _strings(value, key: str, keylines: dict, report: Reporter) -> list[str]:
    if not isinstance(value, list):
        return []
    if not all(isinstance(v, str) and v.strip() for v in value):
        report(keylines.get(key, 2), f"every entry of `{key}` must be non-empty text")
    return [str(v).strip() for v in value if v is not None]


def _split_quiz(body: str, body_line: int, report: Reporter) -> tuple[str, Quiz | None]:
    """Everything before the `## Quiz` heading is the lesson; the rest is the quiz."""
    lines = body.split("\n")
    in_fence = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.rstrip() == QUIZ_HEADING:
            quiz = parse_quiz(lines[i + 1 :], body_line + i + 1, report)
            return "\n".join(lines[:i]).rstrip() + "\n", quiz
        elif not in_fence and line.lower().startswith("## quiz"):
            report(body_line + i, "the quiz heading must be exactly `## Quiz`")
    return body, None


def _check_lesson(lesson: str, body_line: int, path: Path, report: Reporter) -> None:
    """Lesson rules: no level-1 heading, images exist and have alt text, no `<style>` left open."""
    in_fence = False
    course_dir = path.parent.parent
    for i, line in enumerate(lesson.split("\n")):
        ln = body_line + i
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if re.match(r"^# ", line):
            report(ln, "use `##` or deeper for headings; the page shows the module title as `#`")
        for alt, src in IMAGE.findall(line):
            if not alt.strip():
                report(
                    ln, f"image `{src}` has no alt text: describe it for people who cannot see it"
                )
            if re.match(r"^[a-z]+:", src, re.I):
                if not src.lower().startswith("https://"):
                    report(ln, f"image `{src}` must be a relative path or an https:// URL")
            elif Path(src).suffix.lower() not in SUFFIX_TYPES:
                report(ln, f"image `{src}` must be a PNG, JPEG, WebP or SVG file")
            elif not (course_dir / src).resolve().is_relative_to(course_dir.resolve()):
                report(ln, f"image `{src}` points outside the course directory")
            elif not (course_dir / src).is_file():
                report(
                    ln, f"image `{src}` does not exist (paths are relative to the course directory)"
                )
    for tag, line in unclosed_raw_text(lesson)[1]:
        report(
            body_line + line - 1,
            f"`<{tag}>` is never closed with `</{tag}>`, so a browser would hide everything "
            "after it: remove it (a lesson cannot carry its own styles or scripts), or put it "
            "in backticks to show it as code",
        )


def _check_requires(modules: list[ModuleSource], problems: list[Problem]) -> None:
    """Every `requires` names an existing module and the graph has no cycle."""
    by_slug = {m.slug: m for m in modules}
    for m in modules:
        report = Reporter(m.path, problems)
        for req in m.requires:
            if req == m.slug:
                report(m.requires_line, "a module cannot require itself")
            elif req not in by_slug:
                report(
                    m.requires_line,
                    f"`requires` names `{req}`, which is not a module of this course",
                )
    state: dict[str, int] = {}

    def visit(slug: str, trail: list[str]) -> None:
        state[slug] = 1
        for req in by_slug[slug].requires:
            if req not in by_slug or req == slug:
                continue
            if state.get(req) == 1:
                cycle = [*trail[trail.index(req) :], req] if req in trail else [slug, req]
                module = by_slug[slug]
                Reporter(module.path, problems)(
                    module.requires_line, "`requires` forms a cycle: " + " -> ".join(cycle)
                )
            elif req not in state:
                visit(req, [*trail, req])
        state[slug] = 2

    for m in modules:
        if m.slug not in state:
            visit(m.slug, [m.slug])
