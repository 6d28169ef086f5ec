"""Write small, valid courses to disk for tests that need control over the content."""

from pathlib import Path

QUIZ = """
## Quiz
pass: 100%
attempts: 3
cooldown: 10m

### Which choice is right?
- [x] The right one
  > Yes.
- [ ] The wrong one
  > No.
"""


def module_text(
    title: str, minutes: int = 10, requires=(), quiz: bool = False, body: str = ""
) -> str:
    """A module file with an optional one-question quiz."""
    reqs = ", ".join(requires)
    lesson = body or f"## About {title}\n\nSome lesson text about {title}.\n"
    return (
        f"---\ntitle: {title}\nminutes: {minutes}\nobjectives: [Understand {title}]\n"
        f"requires: [{reqs}]\n---\n{lesson}"
        + (quiz if isinstance(quiz, str) else QUIZ if quiz else "")
    )


def write_course(
    root: Path, slug: str = "test-course", title: str = "Test course", modules=None
) -> Path:
    """modules: {"01-a": {"minutes": 10, "requires": [], "quiz": False, "body": ""}, …}."""
    modules = (
        modules
        if modules is not None
        else {"01-first": {}, "02-second": {"requires": ["01-first"]}}
    )
    course = root / slug
    (course / "modules").mkdir(parents=True, exist_ok=True)
    (course / "course.md").write_text(f"---\ntitle: {title}\nhours: 2\n---\nA test course.\n")
    for name, spec in modules.items():
        (course / "modules" / f"{name}.md").write_text(
            module_text(
                spec.get("title", name.split("-", 1)[1].title()),
                spec.get("minutes", 10),
                spec.get("requires", []),
                spec.get("quiz", False),
                spec.get("body", ""),
            )
        )
    return root
