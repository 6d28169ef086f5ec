"""`flask content …`: validate, sync and export the Markdown course content."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from smresidency.catalog.loader import load_content

content_cli = click.Group(
    "content", help="Check, load and export course content written in Markdown."
)


def _root(path: str | None) -> Path:
    return Path(path or current_app.config["CONTENT_DIR"])


@content_cli.command("validate")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def validate(path):
    """Print every problem as file:line: message; exit 1 if there is any.

    PATH defaults to the configured content directory (course_content/).
    """
    courses, problems = load_content(_root(path))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    modules = sum(len(c.modules) for c in courses)
    for warning in _time_warnings(courses):
        click.echo(str(warning))
    click.echo(f"OK: {len(courses)} course(s), {modules} module(s), no problems.")


def _time_warnings(courses):
    """Declared minutes far from the estimate: a warning, never a failure."""
    from smresidency.catalog.estimate import drawn, estimate
    from smresidency.catalog.lint import _warn

    for course in courses:
        for m in course.modules:
            found = estimate(m.lesson, drawn(m.quiz))
            if found.differs_from(m.minutes):
                yield _warn(
                    m.path,
                    2,
                    f"`minutes: {m.minutes}` differs by more than 20% from the estimate "
                    f"({found.explain()})",
                )


@content_cli.command("sync")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@with_appcontext
def sync(path):
    """Validate, then load the content into the database; all or nothing.

    PATH defaults to the configured content directory (course_content/).

    Unchanged modules are left alone; a changed file becomes a new version; a module
    whose file is gone is retired (kept for the records that point at it); a module whose
    number changed (02-x.md renamed 03-x.md) keeps its identity and its learners' progress.
    Images are checked and stored in the database.

    A course published from the studio since the last sync is left alone while its files
    on disk are unchanged ("kept studio edits"). If the files changed too, the files win
    and the studio's versions stay in the history ("replaced studio edits"); run
    `flask content export` first to bring studio edits into the files.
    """
    from smresidency.catalog.sync import ContentInvalid, sync_content
    from smresidency.extensions import db

    try:
        report = sync_content(_root(path))
    except ContentInvalid as err:
        db.session.rollback()
        for problem in err.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Sync refused: {len(err.problems)} problem(s); nothing was changed.", err=True)
        raise SystemExit(1) from err
    db.session.commit()
    for slug in report.studio_kept:
        click.echo(f"kept studio edits (files unchanged since the last sync): {slug}")
    for slug in report.studio_replaced:
        click.echo(
            f"replaced studio edits with the files on disk: {slug} "
            "(the studio's versions stay in its history)"
        )
    if not report.changed:
        click.echo(f"Nothing changed ({report.modules_unchanged} module(s) already up to date).")
        return
    for label, items in (
        ("course added", report.courses_added),
        ("course updated", report.courses_updated),
        ("new module version", report.versions_added),
        ("re-rendered (same content)", report.rerendered),
        ("module renamed", report.modules_renamed),
        ("module retired", report.modules_retired),
        ("image stored", report.images_added),
        ("image removed", report.images_removed),
    ):
        for item in items:
            click.echo(f"{label}: {item}")
    click.echo(f"Synced; {report.modules_unchanged} module(s) unchanged.")


@content_cli.command("export")
@click.argument("dest", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--course",
    "slugs",
    multiple=True,
    metavar="SLUG",
    help="Export only this course; repeat for several. Default: every course.",
)
@click.option(
    "--zip",
    "zip_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one course (exactly one --course) as a .zip holding SLUG/... instead of DEST.",
)
@with_appcontext
def export(dest, slugs, zip_file):
    """Write the published courses from the database as Markdown files.

    Each course goes to DEST/<slug>/ in the course_content layout (course.md,
    immersion.md, plan.md, modules/NN-slug.md, images): exactly what the studio has
    published, so studio edits can be committed to git. `flask content sync DEST` loads
    the result back unchanged.

    Course files in DEST/<slug>/ that the course no longer has (a retired module, a
    module renumbered by a reorder, a removed image) are deleted; other files, such as a
    README, are left alone.

    With --zip FILE, one course is written as a .zip holding <slug>/... instead: the
    same file as the studio's /studio/<slug>/export.zip, which its import accepts.
    """
    from sqlalchemy import select

    from smresidency.catalog.export import course_tree, zip_tree
    from smresidency.catalog.models import Course
    from smresidency.catalog.tree import write_tree
    from smresidency.extensions import db

    if zip_file is not None and dest is not None:
        raise click.UsageError("give DEST or --zip FILE, not both")
    if zip_file is None and dest is None:
        raise click.UsageError("missing DEST (the directory to write the courses to), or --zip")
    if zip_file is not None and len(slugs) != 1:
        raise click.BadParameter(
            "--zip writes one course: name it with --course SLUG", param_hint="--course"
        )
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    if not courses:
        click.echo("no course in the database; run flask content sync first", err=True)
        raise SystemExit(1)
    known = {c.slug: c for c in courses}
    unknown = [s for s in dict.fromkeys(slugs) if s not in known]
    if unknown:
        raise click.BadParameter(
            f"no course {', '.join(f'`{s}`' for s in unknown)} in the database "
            f"(known: {', '.join(known)})",
            param_hint="--course",
        )
    chosen = [known[s] for s in dict.fromkeys(slugs)] if slugs else courses
    for course in chosen:
        tree = course_tree(course)
        if zip_file is not None:
            zip_file.parent.mkdir(parents=True, exist_ok=True)
            zip_file.write_bytes(zip_tree(course.slug, tree))
            target = zip_file
        else:
            target = dest / course.slug
            write_tree(tree, target)
        click.echo(f"exported {course.slug}: {len(tree)} file(s) to {target}")


@content_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--module",
    "module_slug",
    required=True,
    metavar="SLUG",
    help="The module file to add the questions to, without .md (e.g. 03-facebook).",
)
@click.option(
    "--course",
    metavar="SLUG",
    help="The course directory, when the module slug exists in more than one course.",
)
@click.option("--dry-run", is_flag=True, help="Print the converted Markdown; write nothing.")
@with_appcontext
def import_gift(file, module_slug, course, dry_run):
    """Convert a Moodle GIFT file into quiz questions of one module.

    FILE is a GIFT text file (UTF-8). The module is looked up as
    <course>/modules/SLUG.md in the configured content directory (CONTENT_DIR); pass
    --course when more than one course has a module of that name.

    The questions are appended to the module's `## Quiz` section. A module without a quiz
    gets one, with the default setting `pass: 80%`. The module is then validated again; if
    the result would be invalid (for example a question that repeats a stem already in the
    quiz), every problem is printed as file:line: message and nothing is written.

    \b
    Converted:
      multiple choice {=right ~wrong}        -> single choice, `#feedback` per answer
      weighted answers {~%50%A ~%-100%B}     -> choose all that apply (positive weight
                                                = correct; weights are dropped, because
                                                our scoring is all-or-nothing)
      true/false {T} {TRUE} {F} {FALSE}      -> True/False choices; `#wrong#right` feedback
      short answer {=a =b}                   -> `= answer` lines (weighted answers below
                                                100% are dropped and noted)
      ####general feedback                   -> `> ` question feedback
      text {…} more text (missing word)      -> `_____` where the braces were
      ::Title::                              -> dropped (used only for a question with
                                                no text, or to keep two equal ones apart)
      // comment lines                       -> ignored; $CATEGORY: lines are noted
      [html] [moodle] [plain] [markdown]     -> removed; basic HTML (<b> <i> <br> <p>
                                                <a>) becomes Markdown, images are noted
      \\~ \\= \\# \\{ \\} \\:                      -> the literal character
    Not converted, reported with their GIFT line: matching, numerical, essay {},
    descriptions (no braces), and anything our quiz grammar would reject.

    With --dry-run the Markdown that would be appended is printed on stdout and the
    summary on stderr; the module is still validated, but nothing is written.

    Prints a summary: questions imported, questions skipped (line and reason), notes
    about dropped details. Exits 1 if no question could be imported or the module would
    be invalid, 2 on a usage error (such as an unknown module).
    """
    from smresidency.catalog.gift import convert_gift
    from smresidency.catalog.loader import load_module
    from smresidency.catalog.problems import Problem, Reporter

    path = _find_module(_root(None), module_slug.removesuffix(".md"), course)
    gift_text = _read_utf8(Path(file))
    original = _read_utf8(path)
    crlf = "\r\n" in original
    original = original.replace("\r\n", "\n")
    result = convert_gift(gift_text, path=file)

    def say(message: str) -> None:
        """The report goes to stderr on a dry run, so stdout is just the Markdown."""
        click.echo(message, err=dry_run)

    module = load_module(path, Reporter(path, []), text=original)
    had_quiz = module is not None and module.quiz is not None
    existing = len(module.quiz.questions) if had_quiz else 0
    addition = result.markdown if had_quiz else f"## Quiz\npass: 80%\n\n{result.markdown}"
    if dry_run and result.questions:
        click.echo(addition, nl=False)
    for label, items in (("Skipped", result.skipped), ("Note", result.notes)):
        for item in sorted(items):
            say(f"{label}: {item}")
    if not result.questions:
        click.echo(
            f"Nothing imported: no question in {file} could be converted "
            f"({len(result.skipped)} skipped)."
            if result.skipped
            else f"Nothing imported: {file} holds no questions (it is empty, or only "
            "comments and categories).",
            err=True,
        )
        raise SystemExit(1)

    new_text = original.rstrip("\n") + "\n\n" + addition
    first_new_line = new_text.count("\n") - addition.count("\n") + 1
    offset = first_new_line + (0 if had_quiz else 3)  # module line of the Markdown's line 1
    problems: list[Problem] = []
    updated = load_module(path, Reporter(path, problems), text=new_text)
    expected = existing + len(result.questions)
    if not problems and (
        updated is None or updated.quiz is None or len(updated.quiz.questions) != expected
    ):
        problems.append(
            Problem(
                str(path),
                first_new_line,
                "the appended questions were not read back as quiz questions "
                "(is a code fence left open in the lesson?)",
            )
        )
    if problems:
        for problem in sorted(problems):
            origin = result.gift_line_for(problem.line - offset + 1)
            where = f" (from {file}:{origin})" if origin and problem.line >= offset else ""
            click.echo(f"{problem}{where}", err=True)
        click.echo(
            f"Import refused: {path} would have {len(problems)} problem(s); nothing was "
            "written. Line numbers are those of the module after the import.",
            err=True,
        )
        raise SystemExit(1)

    if not dry_run:
        _write_atomically(path, new_text.replace("\n", "\r\n") if crlf else new_text)
    say(
        f"{'Would import' if dry_run else 'Imported'} {len(result.questions)} question(s) "
        f"into {path}; {len(result.skipped)} skipped, {len(result.notes)} note(s)."
    )


def _read_utf8(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise click.ClickException(
            f"{path} is not UTF-8 ({err.reason} at byte {err.start})"
        ) from err


def _find_module(root: Path, slug: str, course: str | None) -> Path:
    """The one modules/<slug>.md under the content root's course directories."""
    if not root.is_dir():
        raise click.ClickException(f"content directory {root} does not exist")
    courses = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if course:
        courses = [p for p in courses if p.name == course]
        if not courses:
            raise click.BadParameter(
                f"no course directory `{course}` in {root}", param_hint="--course"
            )
    found = [
        p / "modules" / f"{slug}.md" for p in courses if (p / "modules" / f"{slug}.md").is_file()
    ]
    if not found:
        raise click.BadParameter(
            f"no module `{slug}` (looked for <course>/modules/{slug}.md in {root})",
            param_hint="--module",
        )
    if len(found) > 1:
        names = ", ".join(p.parent.parent.name for p in found)
        raise click.BadParameter(
            f"module `{slug}` exists in several courses ({names}); choose one with --course",
            param_hint="--module",
        )
    return found[0]


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the file, then rename over it: the module is never half-written."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _add_lint() -> None:
    """`flask content lint` lives in its own module; it joins this group."""
    from smresidency.catalog.lint_cli import lint

    content_cli.add_command(lint)


_add_lint()
