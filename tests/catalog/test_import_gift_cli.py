"""`flask content import-gift`: dry run, append to the quiz, refuse invalid results, exit codes."""

from pathlib import Path

import pytest

from smresidency.catalog.gift import convert_gift
from smresidency.catalog.loader import load_content

GIFT = """\
// two questions we can take and one we cannot
::Boundaries::A patient sends you a friend request. What should you do? {
=Decline politely #Correct.
~Accept it #That blurs the boundary.
####Keep personal and clinical relationships separate.
}

::Numbers::How many characters fit in a post? {#280}

Deleting a post undoes a privacy breach.{F#Screenshots survive.#Right.}
"""


@pytest.fixture
def app_config(tmp_path):
    """The app reads the course that `write_course` writes to tmp_path/content."""
    return {"CONTENT_DIR": str(tmp_path / "content")}


@pytest.fixture
def course(write_course):
    """01-first has no quiz; 02-second has the builders' one-question quiz (pass: 100%)."""
    root = write_course(modules={"01-first": {}, "02-second": {"quiz": True}})
    return root / "test-course" / "modules"


@pytest.fixture
def gift_file(tmp_path):
    def write(text: str = GIFT) -> str:
        path = tmp_path / "bank.gift"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def run(runner, *args):
    return runner.invoke(args=["content", "import-gift", *args])


def test_dry_run_prints_the_markdown_and_writes_nothing(runner, course, gift_file):
    module = course / "01-first.md"
    before = module.read_bytes()
    gift = gift_file()
    result = run(runner, gift, "--module", "01-first", "--dry-run")
    assert result.exit_code == 0, result.output
    expected = convert_gift(GIFT, path=gift).markdown
    assert result.stdout == "## Quiz\npass: 80%\n\n" + expected
    assert "### A patient sends you a friend request. What should you do?" in result.stdout
    assert "Would import 2 question(s)" in result.stderr
    assert f"Skipped: {gift}:8: numerical question" in result.stderr
    assert module.read_bytes() == before


def test_dry_run_into_a_module_with_a_quiz_prints_only_the_questions(runner, course, gift_file):
    result = run(runner, gift_file(), "--module", "02-second", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("### A patient sends you a friend request.")
    assert "## Quiz" not in result.stdout


def test_import_creates_the_quiz_and_validate_then_passes(runner, course, gift_file, app):
    gift = gift_file()
    result = run(runner, gift, "--module", "01-first")
    assert result.exit_code == 0, result.output
    assert "Imported 2 question(s)" in result.stdout
    assert "1 skipped" in result.stdout
    assert f"Skipped: {gift}:8: numerical question" in result.stdout
    text = (course / "01-first.md").read_text(encoding="utf-8")
    assert "Some lesson text about First.\n\n## Quiz\npass: 80%\n\n### A patient" in text

    validate = runner.invoke(args=["content", "validate"])
    assert validate.exit_code == 0, validate.output
    assert "no problems" in validate.output
    courses, problems = load_content(app.config["CONTENT_DIR"])
    assert problems == []
    quiz = courses[0].modules[0].quiz
    assert quiz.pass_percent == 80
    assert [q.kind for q in quiz.questions] == ["single", "truefalse"]
    assert [c.correct for c in quiz.questions[1].choices] == [False, True]
    assert quiz.questions[0].feedback == "Keep personal and clinical relationships separate."


def test_import_appends_to_an_existing_quiz_and_keeps_its_settings(runner, course, gift_file):
    module = course / "02-second.md"
    before = module.read_text(encoding="utf-8")
    result = run(runner, gift_file(), "--module", "02-second")
    assert result.exit_code == 0, result.output
    after = module.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n") + "\n\n### A patient")
    assert after.count("## Quiz") == 1
    validate = runner.invoke(args=["content", "validate"])
    assert validate.exit_code == 0, validate.output
    courses, _ = load_content(course.parent.parent)
    quiz = courses[0].modules[1].quiz
    assert quiz.pass_percent == 100 and quiz.attempts == 3
    assert len(quiz.questions) == 3


def test_a_duplicate_stem_is_refused_and_the_file_left_unchanged(runner, course, gift_file):
    module = course / "02-second.md"
    before = module.read_bytes()
    gift = gift_file("New question? {T}\n\nWhich choice is right? {=This ~That}\n")
    result = run(runner, gift, "--module", "02-second")
    assert result.exit_code == 1
    assert module.read_bytes() == before
    lines = before.decode().rstrip("\n").split("\n")
    existing = lines.index("### Which choice is right?") + 1
    duplicate = len(lines) + 6  # blank, new question (heading + 2 choices), blank, repeat
    assert f"{module}:{duplicate}: duplicate question (same as line {existing})" in result.stderr
    assert f"(from {gift}:3)" in result.stderr
    assert "nothing was written" in result.stderr
    assert "Imported" not in result.output


def test_dry_run_also_reports_an_invalid_result(runner, course, gift_file):
    gift = gift_file("Which choice is right? {=This ~That}\n")
    result = run(runner, gift, "--module", "02-second", "--dry-run")
    assert result.exit_code == 1
    assert "duplicate question" in result.stderr


def test_nothing_importable_exits_1_and_writes_nothing(runner, course, gift_file):
    module = course / "01-first.md"
    before = module.read_bytes()
    gift = gift_file("Essay {}\n\nMatch {=a -> b =c -> d}\n")
    result = run(runner, gift, "--module", "01-first")
    assert result.exit_code == 1
    assert "Nothing imported" in result.stderr
    assert f"{gift}:1: essay question" in result.output
    assert f"{gift}:3: matching question" in result.output
    assert module.read_bytes() == before


def test_unknown_module_is_a_usage_error(runner, course, gift_file):
    result = run(runner, gift_file(), "--module", "09-missing")
    assert result.exit_code == 2
    assert "no module `09-missing`" in result.output


def test_module_is_required(runner, course, gift_file):
    result = run(runner, gift_file())
    assert result.exit_code == 2
    assert "--module" in result.output


def test_an_ambiguous_module_needs_course(runner, course, gift_file, write_course):
    write_course(slug="other-course", modules={"01-first": {}})
    gift = gift_file()
    result = run(runner, gift, "--module", "01-first")
    assert result.exit_code == 2
    assert "several courses (other-course, test-course)" in result.output
    result = run(runner, gift, "--module", "01-first", "--course", "other-course")
    assert result.exit_code == 0, result.output
    assert "## Quiz" in (course.parent.parent / "other-course/modules/01-first.md").read_text()
    assert "## Quiz" not in (course / "01-first.md").read_text()


def test_unknown_course_is_a_usage_error(runner, course, gift_file):
    result = run(runner, gift_file(), "--module", "01-first", "--course", "nope")
    assert result.exit_code == 2
    assert "no course directory `nope`" in result.output


def test_windows_line_endings_are_kept(runner, course, gift_file):
    module = course / "01-first.md"
    module.write_bytes(module.read_bytes().replace(b"\n", b"\r\n"))
    result = run(runner, gift_file(), "--module", "01-first")
    assert result.exit_code == 0, result.output
    data = module.read_bytes()
    assert b"## Quiz\r\npass: 80%\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert runner.invoke(args=["content", "validate"]).exit_code == 0


def test_help_explains_the_command(runner):
    result = runner.invoke(args=["content", "import-gift", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in (
        "--module",
        "--course",
        "--dry-run",
        "pass: 80%",
        "all-or-nothing",
        "matching",
        "numerical",
        "essay",
        "file:line: message",
        "Exits 1",
    ):
        assert words in text, words


def test_missing_gift_file_is_a_usage_error(runner, course, tmp_path):
    result = run(runner, str(Path(tmp_path) / "nope.gift"), "--module", "01-first")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "// only comments\n// and more\n", "$CATEGORY: $course$/Week 1\n"],
    ids=["empty", "blank lines", "comments", "category only"],
)
def test_a_file_without_questions_exits_1_and_says_so(runner, course, gift_file, text):
    module = course / "01-first.md"
    before = module.read_bytes()
    gift = gift_file(text)
    for dry_run in ([], ["--dry-run"]):
        result = run(runner, gift, "--module", "01-first", *dry_run)
        assert result.exit_code == 1, result.output
        assert f"Nothing imported: {gift} holds no questions" in result.stderr
        assert "Imported" not in result.output
    assert module.read_bytes() == before
