"""A draft shown the way learners will get it, by the same parsing and rendering as a sync."""

from dataclasses import dataclass, field
from pathlib import Path

from smresidency.authoring.documents import Doc
from smresidency.authoring.frontmatter import body_offset
from smresidency.authoring.publish import check
from smresidency.catalog.loader import load_module, split_front_matter
from smresidency.catalog.problems import Problem, Reporter
from smresidency.catalog.render import render_markdown
from smresidency.catalog.sections import parse_immersion, parse_plan
from smresidency.catalog.sync import image_base, render_quiz


@dataclass
class Preview:
    problems: list[Problem] = field(default_factory=list)
    offset: int = 0  # file lines before the editor's body box
    title: str = ""
    minutes: int = 0
    objectives: list[str] = field(default_factory=list)
    lesson_html: str = ""
    quiz: dict | None = None
    page: object = None  # parsed immersion/plan, or the course page's HTML
    page_html: str = ""
    warnings: list[Problem] = field(default_factory=list)  # quality lint: never blocks


def _warnings(module, file: str) -> list[Problem]:
    """The lint warnings for this module, named by the file as the author knows it."""
    from smresidency.catalog.lint import lint_module
    from smresidency.catalog.lint_cli import lint_settings

    return [Problem(file, w.line, w.message) for w in lint_module(module, lint_settings())]


def preview(doc: Doc, text: str) -> Preview:
    """Problems for the whole course with this text, and the text rendered for learners."""
    problems = check(doc.course, {doc.file: text.encode()})
    shown = Preview(problems=problems)
    ignore: list[Problem] = []
    if doc.kind == "modules":
        shown.offset = body_offset(text)
        path = Path("/nonexistent-preview") / doc.course.slug / doc.file
        module = load_module(path, Reporter(path, ignore), text=text)
        if module is not None:
            shown.title, shown.minutes = module.title, module.minutes
            shown.objectives = module.objectives
            shown.lesson_html = render_markdown(module.lesson, image_base(doc.course.slug))
            shown.quiz = render_quiz(module.quiz.to_dict()) if module.quiz else None
            shown.warnings = _warnings(module, doc.file)
    elif doc.key == "immersion":
        shown.page = parse_immersion(text, Reporter(doc.file, ignore))
    elif doc.key == "plan":
        shown.page = parse_plan(text, Reporter(doc.file, ignore))
    else:
        data, _, body, _ = split_front_matter(text, Reporter(doc.file, ignore))
        shown.title = str((data or {}).get("title") or "")
        shown.page_html = render_markdown(body.strip(), image_base(doc.course.slug))
    return shown
