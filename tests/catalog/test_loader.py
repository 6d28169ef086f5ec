"""The content loader: the real course is clean, and every kind of mistake is reported as
`file:line: message` so an author can jump straight to it."""

import subprocess
import sys
from pathlib import Path

import pytest

from smresidency.catalog.loader import load_content
from smresidency.catalog.problems import Problem
from smresidency.catalog.sections import COMPLETED_BY, ITEM_KINDS

CONTENT_ROOT = Path(__file__).resolve().parents[2] / "course_content"

COURSE_MD = """---
title: Demo course
summary: A tiny course for tests.
hours: 1
---
What the course is about.
"""


def module_md(front: str = "title: Module\nminutes: 10", body: str = "Some lesson text.\n") -> str:
    """A module file: `front` is the YAML between the `---` lines, `body` the lesson."""
    return f"---\n{front}\n---\n{body}"


def build_course(
    root: Path,
    modules: dict[str, str | bytes] | None = None,
    course: str | bytes | None = COURSE_MD,
    files: dict[str, str | bytes] | None = None,
    slug: str = "demo",
) -> Path:
    """Write `root/<slug>/course.md` and `modules/*`; return the course directory.

    `course=None` leaves course.md out; `files` adds more files relative to the course dir.
    """
    course_dir = root / slug
    (course_dir / "modules").mkdir(parents=True)
    if course is not None:
        _write(course_dir / "course.md", course)
    if modules is None:
        modules = {"01-intro.md": module_md()}
    for name, text in modules.items():
        _write(course_dir / "modules" / name, text)
    for name, text in (files or {}).items():
        path = course_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, text)
    return course_dir


def _write(path: Path, text: str | bytes) -> None:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def problems_of(root: Path) -> list[Problem]:
    _, problems = load_content(root)
    return problems


def the_problem(problems: list[Problem]) -> Problem:
    """Exactly one problem, so a mistake is reported once and not buried in noise."""
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_problem(problem: Problem, file_end: str, line: int, fragment: str) -> None:
    """The printed `file:line: message` names the file, the right line and the mistake."""
    printed = str(problem)
    assert problem.path.endswith(file_end), printed
    assert problem.line == line, printed
    assert printed == f"{problem.path}:{line}: {problem.message}"
    assert fragment in problem.message, printed


# --- the real course -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_course():
    courses, problems = load_content(CONTENT_ROOT)
    assert problems == [], "\n".join(map(str, problems))
    assert [c.slug for c in courses] == ["social-media-residency"]
    return courses[0]


def test_real_course_loads_without_problems(real_course):
    assert real_course.title
    assert real_course.summary
    assert real_course.description
    assert real_course.competencies


def test_real_course_has_fourteen_modules_of_about_four_hours(real_course):
    modules = real_course.modules
    assert [m.number for m in modules] == list(range(1, 15))
    assert modules[-1].slug == "14-strategy"
    assert all(m.title and m.objectives for m in modules)
    assert 220 <= sum(m.minutes for m in modules) <= 260


def test_real_course_requires_only_earlier_modules(real_course):
    numbers = {m.slug: m.number for m in real_course.modules}
    assert real_course.modules[0].requires == []
    for module in real_course.modules:
        for req in module.requires:
            assert numbers[req] < module.number, (module.slug, req)


@pytest.mark.parametrize("index", range(14))
def test_real_course_lesson_length_and_quiz(real_course, index):
    module = real_course.modules[index]
    words = len(module.lesson.split())
    assert 1000 <= words <= 2000, f"{module.slug}: {words} words"
    assert "## Quiz" not in module.lesson
    quiz = module.quiz
    assert quiz is not None, module.slug
    assert len(quiz.questions) >= 10, module.slug
    assert quiz.draw is not None and 5 <= quiz.draw <= 6, module.slug
    assert quiz.draw is None or quiz.draw <= len(quiz.questions)
    for question in quiz.questions:
        assert question.kind in {"single", "multiple", "truefalse", "text"}
        if question.kind == "text":
            assert question.answers, question.stem
        else:
            assert any(c.correct for c in question.choices), question.stem
        for choice in question.choices:
            assert choice.feedback.strip(), f"{module.slug}: {question.stem!r} / {choice.text!r}"


def test_real_course_immersion_checklist(real_course):
    immersion = real_course.immersion
    assert immersion is not None
    assert 14 <= len(immersion.items) <= 16
    assert len(immersion.agenda) >= 10
    assert immersion.agenda[0].start <= "09:00" and immersion.agenda[-1].end >= "16:30"
    ids = [item.id for item in immersion.items]
    assert len(set(ids)) == len(ids)
    for item in immersion.items:
        assert item.id and item.title and item.description
        assert item.kind in ITEM_KINDS
        assert item.completed_by in COMPLETED_BY
    assert any(item.required for item in immersion.items)


def test_real_course_plan_sections_and_rubric(real_course):
    plan = real_course.plan
    assert plan is not None
    assert len(plan.sections) >= 5
    assert all(s.id and s.title and s.help for s in plan.sections)
    assert len(plan.levels) >= 2
    assert plan.criteria
    section_ids = {s.id for s in plan.sections}
    covered = set()
    for criterion in plan.criteria:
        assert criterion.sections and set(criterion.sections) <= section_ids
        covered |= set(criterion.sections)
    assert covered == section_ids, "every plan section is assessed by some criterion"


# --- a clean tiny course ---------------------------------------------------------------


def test_tiny_course_loads_cleanly(tmp_path):
    build_course(
        tmp_path,
        modules={
            "01-intro.md": module_md("title: Intro\nminutes: 10"),
            "02-next.md": module_md(
                "title: Next\nminutes: 15\nrequires: [01-intro]",
                "Text.\n\n![A bar chart](images/chart.png)\n",
            ),
        },
        files={"images/chart.png": b"\x89PNG"},
    )
    courses, problems = load_content(tmp_path)
    assert problems == []
    (course,) = courses
    assert course.title == "Demo course"
    assert [(m.slug, m.number, m.minutes) for m in course.modules] == [
        ("01-intro", 1, 10),
        ("02-next", 2, 15),
    ]
    assert course.modules[1].requires == ["01-intro"]


def test_code_blocks_may_contain_h1_and_quiz_heading(tmp_path):
    body = "Example:\n\n```bash\n# a shell comment\n## Quiz\n```\n\nMore text.\n"
    build_course(tmp_path, modules={"01-intro.md": module_md(body=body)})
    courses, problems = load_content(tmp_path)
    assert problems == []
    assert courses[0].modules[0].quiz is None


# --- one test per problem kind ---------------------------------------------------------


def test_bad_yaml(tmp_path):
    text = module_md("title: Intro\nminutes: 10\nobjectives: [unclosed, list\nrequires: []")
    build_course(tmp_path, modules={"01-intro.md": text})
    problem = the_problem(problems_of(tmp_path))
    # the parser notices the unclosed list on the line after it (file line 5)
    assert_problem(problem, "modules/01-intro.md", 5, "YAML error")


def test_bad_yaml_reports_the_line_inside_the_front_matter(tmp_path):
    text = module_md("title: Intro\nminutes: 10\nnote: a: b")
    build_course(tmp_path, modules={"01-intro.md": text})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 4, "YAML error: mapping values are not allowed")


def test_unknown_key(tmp_path):
    text = module_md("title: Intro\nminutes: 10\nauthor: Dr Who")
    build_course(tmp_path, modules={"01-intro.md": text})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 4, "unknown key `author`")
    assert "known keys: minutes, objectives, requires, title" in problem.message


def test_missing_title(tmp_path):
    build_course(tmp_path, modules={"01-intro.md": module_md("minutes: 10")})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 2, "missing required key `title`")


def test_missing_course_title(tmp_path):
    build_course(tmp_path, course="---\nsummary: No title here\n---\nText.\n")
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "demo/course.md", 2, "missing required key `title`")


@pytest.mark.parametrize("value", ["thirty", "2.5", "0", "601", "true"])
def test_minutes_must_be_a_whole_number(tmp_path, value):
    text = module_md(f"title: Intro\nminutes: {value}")
    build_course(tmp_path, modules={"01-intro.md": text})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 3, "`minutes` must be a whole number")


def test_missing_course_md(tmp_path):
    build_course(tmp_path, course=None)
    courses, problems = load_content(tmp_path)
    assert courses == []
    assert_problem(the_problem(problems), "demo/course.md", 1, "course.md is missing")


@pytest.mark.parametrize("name", ["1-intro.md", "01_intro.md", "01-Intro.md", "intro.md"])
def test_bad_module_filename(tmp_path, name):
    build_course(tmp_path, modules={"01-first.md": module_md(), name: module_md()})
    courses, problems = load_content(tmp_path)
    assert_problem(the_problem(problems), f"modules/{name}", 1, "module files are named NN-slug.md")
    assert [m.slug for m in courses[0].modules] == ["01-first"]


def test_duplicate_module_number(tmp_path):
    build_course(tmp_path, modules={"01-alpha.md": module_md(), "01-beta.md": module_md()})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(
        problem, "modules/01-beta.md", 1, "duplicate module number 01 (also 01-alpha.md)"
    )


def test_duplicate_slug(tmp_path):
    build_course(tmp_path, modules={"01-intro.md": module_md(), "02-intro.md": module_md()})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/02-intro.md", 1, "duplicate slug `intro` (also 01-intro.md)")


def test_requires_names_a_missing_module(tmp_path):
    text = module_md("title: Intro\nminutes: 10\nrequires: [00-nowhere]")
    build_course(tmp_path, modules={"01-intro.md": text})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(
        problem, "modules/01-intro.md", 4, "`requires` names `00-nowhere`, which is not a module"
    )


def test_requires_itself(tmp_path):
    text = module_md("title: Intro\nminutes: 10\nrequires: [01-intro]")
    build_course(tmp_path, modules={"01-intro.md": text})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 4, "a module cannot require itself")


def test_requires_cycle(tmp_path):
    build_course(
        tmp_path,
        modules={
            "01-alpha.md": module_md("title: A\nminutes: 10\nrequires: [02-beta]"),
            "02-beta.md": module_md("title: B\nminutes: 10\nrequires: [01-alpha]"),
        },
    )
    problem = the_problem(problems_of(tmp_path))
    assert_problem(
        problem,
        "modules/02-beta.md",
        4,
        "`requires` forms a cycle: 01-alpha -> 02-beta -> 01-alpha",
    )


def test_image_missing(tmp_path):
    body = "Intro.\n\n![A bar chart](images/chart.png)\n"
    build_course(tmp_path, modules={"01-intro.md": module_md(body=body)})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 7, "image `images/chart.png` does not exist")


def test_image_outside_the_course(tmp_path):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    body = "![A secret](../secret.png)\n"
    build_course(tmp_path, modules={"01-intro.md": module_md(body=body)})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 5, "points outside the course directory")


def test_image_over_plain_http(tmp_path):
    body = "![A chart](http://example.org/chart.png)\n"
    build_course(tmp_path, modules={"01-intro.md": module_md(body=body)})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 5, "must be a relative path or an https:// URL")


def test_image_without_alt_text(tmp_path):
    body = "Intro.\n\nMore.\n\n![](images/chart.png)\n"
    build_course(
        tmp_path,
        modules={"01-intro.md": module_md(body=body)},
        files={"images/chart.png": b"\x89PNG"},
    )
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 9, "image `images/chart.png` has no alt text")


def test_h1_in_lesson(tmp_path):
    body = "Intro.\n\n## Fine\n\n# Not allowed\n"
    build_course(tmp_path, modules={"01-intro.md": module_md(body=body)})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 9, "use `##` or deeper for headings")


def test_unclosed_front_matter(tmp_path):
    build_course(tmp_path, modules={"01-intro.md": "---\ntitle: Intro\nminutes: 10\nLesson.\n"})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 1, "front matter is not closed")


def test_missing_front_matter(tmp_path):
    build_course(tmp_path, modules={"01-intro.md": "Just a lesson.\n"})
    problem = the_problem(problems_of(tmp_path))
    assert_problem(problem, "modules/01-intro.md", 1, "must start with `---`")


def test_non_utf8_file_is_reported_once(tmp_path):
    latin1 = module_md("title: Café\nminutes: 10").encode("latin-1")
    build_course(tmp_path, modules={"01-intro.md": latin1})
    courses, problems = load_content(tmp_path)
    assert_problem(the_problem(problems), "modules/01-intro.md", 1, "the file is not UTF-8")
    assert courses[0].modules == []


def test_non_utf8_course_md(tmp_path):
    build_course(tmp_path, course=COURSE_MD.replace("Demo", "Démo").encode("cp1252"))
    courses, problems = load_content(tmp_path)
    assert courses == []
    assert_problem(the_problem(problems), "demo/course.md", 1, "the file is not UTF-8")


def test_windows_line_endings_are_accepted(tmp_path):
    text = module_md("title: Intro\nminutes: 10", "Lesson.\n").replace("\n", "\r\n")
    build_course(tmp_path, modules={"01-intro.md": text})
    courses, problems = load_content(tmp_path)
    assert problems == []
    assert courses[0].modules[0].title == "Intro"


def test_all_problems_are_reported_at_once_and_sorted(tmp_path):
    build_course(
        tmp_path,
        course="---\ntitle: Demo\ncolour: red\n---\n",
        modules={
            "01-intro.md": module_md("title: Intro\nminutes: 10", "Intro.\n\n# Big heading\n"),
            "02-next.md": module_md("minutes: 10\nrequires: [99-gone]"),
        },
    )
    problems = problems_of(tmp_path)
    assert problems == sorted(problems)
    summary = [(Path(p.path).name, p.line, p.message.split(" (")[0]) for p in problems]
    assert summary == [
        ("course.md", 3, "unknown key `colour`"),
        (
            "01-intro.md",
            7,
            "use `##` or deeper for headings; the page shows the module title as `#`",
        ),
        ("02-next.md", 2, "missing required key `title`"),
        ("02-next.md", 3, "`requires` names `99-gone`, which is not a module of this course"),
    ]


def test_problems_in_two_courses_are_both_reported(tmp_path):
    build_course(tmp_path, slug="alpha", modules={"01-intro.md": module_md("minutes: 5")})
    build_course(tmp_path, slug="beta", modules={"01-intro.md": module_md(body="# H1\n")})
    problems = problems_of(tmp_path)
    assert [(Path(p.path).parts[-3], p.line) for p in problems] == [("alpha", 2), ("beta", 5)]


def test_missing_content_directory(tmp_path):
    courses, problems = load_content(tmp_path / "nope")
    assert courses == []
    assert "content directory does not exist" in the_problem(problems).message


def test_loader_does_not_import_flask():
    code = (
        "import sys; import smresidency.catalog.loader; "
        "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_an_image_of_a_type_that_is_not_served_is_a_problem(write_course):
    root = write_course(modules={"01-a": {"body": "## A\n\n![A chart](images/chart.gif)\n"}})
    (root / "test-course" / "images").mkdir()
    (root / "test-course" / "images" / "chart.gif").write_bytes(b"GIF89a")
    _, problems = load_content(root)
    assert [p.message for p in problems] == [
        "image `images/chart.gif` must be a PNG, JPEG, WebP or SVG file"
    ]


def test_an_image_whose_alt_text_has_escaped_brackets_is_still_checked(write_course):
    body = "## A\n\n![Chart \\[draft\\] of reach](images/missing.png)\n"
    root = write_course(modules={"01-a": {"body": body}})
    _, problems = load_content(root)
    assert [p.message for p in problems] == [
        "image `images/missing.png` does not exist (paths are relative to the course directory)"
    ]


def test_validate_and_sync_refuse_a_quiz_choice_the_sanitiser_would_empty(
    app, runner, write_course
):
    """Issue 12.1: a <meta> refresh as a choice used to pass validation and reach learners."""
    meta = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    quiz = f"\n## Quiz\n\n### Where do you go?\n- [x] {meta}\n- [ ] Nowhere\n"
    root = write_course(modules={"01-only": {"quiz": quiz}})
    path = root / "test-course" / "modules" / "01-only.md"
    line = path.read_text().split("\n").index(f"- [x] {meta}") + 1
    result = runner.invoke(args=["content", "validate", str(root)])
    assert result.exit_code == 1
    assert f"{path}:{line}: the choice is empty once sanitised (it loses the <meta> tag)" in (
        result.output
    )
    synced = runner.invoke(args=["content", "sync", str(root)])
    assert synced.exit_code != 0
    from sqlalchemy import func, select

    from smresidency.catalog.models import Module
    from smresidency.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Module)) == 0
