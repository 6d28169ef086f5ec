"""Content problems carry their file and line, so an author can jump straight to them."""

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, printed as `file:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Reporter:
    """Collects problems for one file, translating local line numbers to file lines."""

    def __init__(self, path: Path | str, sink: list[Problem]):
        self.path = str(path)
        self.sink = sink

    def __call__(self, line: int, message: str) -> None:
        self.sink.append(Problem(self.path, max(line, 1), message))


def yaml_mapping(text: str, first_line: int, report: Reporter) -> tuple[dict, dict[str, int]]:
    """Parse a YAML mapping and return it with the file line of each key (None on error)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        problem = getattr(err, "problem", None) or "invalid YAML"
        report(line, f"YAML error: {problem}")
        return None, {}
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        report(first_line, "expected `key: value` lines")
        return None, {}
    lines = {k.value: first_line + k.start_mark.line for k, _ in node.value}
    return data, lines


def check_keys(
    data: dict, lines: dict[str, int], allowed: dict, required: set, line: int, report: Reporter
) -> None:
    """Report unknown keys, missing keys and values of the wrong type."""
    for key, value in data.items():
        at = lines.get(key, line)
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            report(at, f"unknown key `{key}` (known keys: {known})")
            continue
        expected = allowed[key]
        if value is not None and not isinstance(value, expected):
            report(at, f"`{key}` must be {_describe(expected)}")
    for key in sorted(required - set(data)):
        report(line, f"missing required key `{key}`")
    for key in required & set(data):
        if data[key] in (None, "", []):
            report(lines.get(key, line), f"`{key}` must not be empty")


def _describe(expected) -> str:
    names = {
        str: "text",
        int: "a whole number",
        list: "a list",
        dict: "a mapping",
        bool: "true or false",
    }
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(t, t.__name__) for t in types)
