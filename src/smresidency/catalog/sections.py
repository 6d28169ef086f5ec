"""immersion.md and plan.md: headed blocks, each with a settings block and a description."""

import re
from dataclasses import dataclass, field

from smresidency.catalog.problems import Reporter, check_keys, yaml_mapping

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SETTING = re.compile(r"^[a-z_]+\s*:")
AGENDA_LINE = re.compile(r"^(\d{2}):(\d{2})\s*[-\u2013]\s*(\d{2}):(\d{2})\s+(\S.*)$")
LEVEL_LINE = re.compile(r"^- \*{0,2}([A-Za-z][\w ]*?)\*{0,2}:\*{0,2}\s+(.+)$")
ITEM_KINDS = ("attendance", "hands-on", "plan", "self-rating")
COMPLETED_BY = ("faculty", "learner")


@dataclass
class Block:
    title: str
    line: int
    settings: dict
    setting_lines: dict
    text: str
    level: int


@dataclass
class ImmersionItem:
    id: str
    title: str
    kind: str
    required: bool
    completed_by: str
    description: str
    line: int
    session: str = ""  # start time of the agenda session it is done in; "" = any time


@dataclass
class AgendaSlot:
    start: str  # "09:00"
    end: str
    title: str
    line: int


@dataclass
class Immersion:
    title: str
    intro: str
    items: list[ImmersionItem]
    text: str
    agenda: list[AgendaSlot] = field(default_factory=list)


@dataclass
class PlanSection:
    id: str
    title: str
    help: str


@dataclass
class RubricCriterion:
    id: str
    title: str
    sections: list[str]
    description: str
    level_text: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    title: str
    intro: str
    sections: list[PlanSection]
    levels: list[str]
    criteria: list[RubricCriterion] = field(default_factory=list)
    text: str = ""
    accept_minimum: str = ""  # no criterion may be scored below this level
    accept_required: dict[str, str] = field(default_factory=dict)  # criterion id -> level


def _blocks(body: str, body_line: int, report: Reporter) -> tuple[str, list[Block]]:
    """Split a body into its intro and the `##`/`###` blocks that follow."""
    lines = body.split("\n")
    intro: list[str] = []
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(#{2,3}) (.+)$", lines[i])
        if not m:
            if blocks:
                blocks[-1].text += lines[i] + "\n"
            else:
                intro.append(lines[i])
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(lines) and SETTING.match(lines[end]):
            end += 1
        settings, keylines = ({}, {})
        if end > start:
            parsed, keylines = yaml_mapping("\n".join(lines[start:end]), body_line + start, report)
            settings = parsed or {}
        blocks.append(
            Block(m.group(2).strip(), body_line + i, settings, keylines, "", len(m.group(1)))
        )
        i = end
    for b in blocks:
        b.text = b.text.strip()
    return "\n".join(intro).strip(), blocks


def _check_id(block: Block, seen: dict, what: str, report: Reporter) -> str:
    ident = str(block.settings.get("id") or "")
    if ident and not ID.match(ident):
        report(
            block.setting_lines.get("id", block.line),
            f"{what} id `{ident}` must be lower-case words joined by -",
        )
    if ident in seen:
        report(block.line, f"duplicate {what} id `{ident}` (also line {seen[ident]})")
    seen.setdefault(ident, block.line)
    return ident


def parse_immersion(text: str, report: Reporter) -> Immersion | None:
    """The immersion-day checklist."""
    from smresidency.catalog.loader import split_front_matter

    data, keylines, body, body_line = split_front_matter(text, report)
    if data is None:
        return None
    check_keys(data, keylines, {"title": str}, {"title"}, 2, report)
    intro, blocks = _blocks(body, body_line, report)
    items, seen = [], {}
    required = {"id": str, "kind": str, "required": bool, "completed_by": str}
    allowed = {**required, "session": object}  # its type is checked by _session
    agenda = _agenda(body, body_line, report)
    for b in blocks:
        if b.level == 2 and b.title.lower() == "agenda":
            continue
        if b.level != 2:
            report(b.line, "checklist items are `##` headings")
            continue
        check_keys(b.settings, b.setting_lines, allowed, set(required), b.line, report)
        ident = _check_id(b, seen, "item", report)
        kind, by = b.settings.get("kind"), b.settings.get("completed_by")
        if kind and kind not in ITEM_KINDS:
            report(
                b.setting_lines.get("kind", b.line),
                f"`kind` must be one of: {', '.join(ITEM_KINDS)}",
            )
        if by and by not in COMPLETED_BY:
            report(
                b.setting_lines.get("completed_by", b.line),
                "`completed_by` must be faculty or learner",
            )
        items.append(
            ImmersionItem(
                ident,
                b.title,
                kind or "",
                bool(b.settings.get("required")),
                by or "",
                b.text,
                b.line,
                _session(b, agenda, report),
            )
        )
    if not items:
        report(body_line, "the checklist has no items (each is a `##` heading with settings)")
    return Immersion(str(data.get("title") or ""), intro, items, text, agenda)


def _session(block: Block, agenda: list[AgendaSlot], report: Reporter) -> str:
    """`session: HH:MM`, the start of the agenda session the item is done in ("" if none)."""
    raw = block.settings.get("session")
    if raw is None:
        return ""
    line = block.setting_lines.get("session", block.line)
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        report(line, "`session` must be the start time of an agenda session, e.g. `09:30`")
        return ""
    # YAML reads an unquoted 10:30 as the base-60 number 630, and 08:30 as text
    text = f"{raw // 60:02d}:{raw % 60:02d}" if isinstance(raw, int) else str(raw).strip()
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    start = f"{int(m.group(1)):02d}:{m.group(2)}" if m else text
    starts = [slot.start for slot in agenda]
    if not agenda:
        report(line, "`session` names an agenda session, but the file has no `## Agenda`")
    elif start not in starts:
        report(
            line,
            f"`session: {text}` is not the start of an agenda session "
            f"(they start at {', '.join(starts)})",
        )
    else:
        return start
    return ""


def _agenda(body: str, body_line: int, report: Reporter) -> list[AgendaSlot]:
    """`## Agenda`: one `HH:MM-HH:MM Title` line per slot, in time order, none overlapping."""
    lines = body.split("\n")
    starts = [i for i, x in enumerate(lines) if x.strip().lower() == "## agenda"]
    if not starts:
        return []
    slots: list[AgendaSlot] = []
    for i in range(starts[0] + 1, len(lines)):
        raw = lines[i].strip()
        if raw.startswith("#"):
            break
        if not raw:
            continue
        line = body_line + i
        m = AGENDA_LINE.match(raw)
        if not m:
            report(line, "agenda lines are `HH:MM-HH:MM Title`, e.g. `09:00-09:30 Check in`")
            continue
        h1, m1, h2, m2, title = m.groups()
        if int(h1) > 23 or int(h2) > 23 or int(m1) > 59 or int(m2) > 59:
            report(line, f"`{raw[:11]}` is not a time of day (00:00 to 23:59)")
            continue
        start, end = f"{h1}:{m1}", f"{h2}:{m2}"
        if end <= start:
            report(line, f"agenda slot ends ({end}) before or when it starts ({start})")
            continue
        if slots and start < slots[-1].end:
            report(
                line, f"agenda slot starts at {start}, before the one above ends at {slots[-1].end}"
            )
            continue
        slots.append(AgendaSlot(start, end, title.strip(), line))
    if not slots:
        report(body_line + starts[0], "`## Agenda` has no `HH:MM-HH:MM Title` lines")
    return slots


def parse_plan(text: str, report: Reporter) -> Plan | None:
    """The strategy-plan sections and the review rubric."""
    from smresidency.catalog.loader import split_front_matter

    data, keylines, body, body_line = split_front_matter(text, report)
    if data is None:
        return None
    check_keys(data, keylines, {"title": str}, {"title"}, 2, report)
    intro, blocks = _blocks(body, body_line, report)
    plan = Plan(str(data.get("title") or ""), intro, [], [], text=text)
    part, section_ids, criterion_ids, rubric = None, {}, {}, None
    for b in blocks:
        if b.level == 2:
            part = b.title.lower()
            if part not in ("sections", "rubric"):
                report(b.line, "plan.md has two parts: `## Sections` and `## Rubric`")
            if part == "rubric":
                allowed = {"levels": list, "accept_minimum": str, "accept_required": dict}
                check_keys(b.settings, b.setting_lines, allowed, {"levels"}, b.line, report)
                plan.levels = [str(v) for v in b.settings.get("levels") or []]
                if 0 < len(plan.levels) < 2:
                    report(
                        b.setting_lines.get("levels", b.line), "a rubric needs at least two levels"
                    )
                rubric = b
        elif part == "sections":
            check_keys(b.settings, b.setting_lines, {"id": str}, {"id"}, b.line, report)
            plan.sections.append(
                PlanSection(_check_id(b, section_ids, "section", report), b.title, b.text)
            )
        elif part == "rubric":
            check_keys(
                b.settings,
                b.setting_lines,
                {"id": str, "sections": list},
                {"id", "sections"},
                b.line,
                report,
            )
            refs = [str(s) for s in b.settings.get("sections") or []]
            for ref in refs:
                if ref not in section_ids:
                    report(
                        b.setting_lines.get("sections", b.line),
                        f"criterion names section `{ref}`, which does not exist",
                    )
            ident = _check_id(b, criterion_ids, "criterion", report)
            level_text = _level_text(b, plan.levels, report)
            rest = "\n".join(x for x in b.text.split("\n") if not _is_level(x, plan.levels))
            plan.criteria.append(RubricCriterion(ident, b.title, refs, rest.strip(), level_text))
        else:
            report(b.line, "`###` blocks belong under `## Sections` or `## Rubric`")
    if not plan.sections:
        report(body_line, "the plan has no sections (`### Title` under `## Sections`)")
    if rubric is not None:
        _acceptance_rule(plan, rubric, report)
    return plan


def _is_level(line: str, levels: list[str]) -> bool:
    m = LEVEL_LINE.match(line)
    return bool(m) and m.group(1).strip() in levels


def _level_text(block: Block, levels: list[str], report: Reporter) -> dict[str, str]:
    """`- Level: what work at that level looks like` lines; all levels or none."""
    found: dict[str, str] = {}
    for line in block.text.split("\n"):
        m = LEVEL_LINE.match(line)
        if not m:
            continue
        name = m.group(1).strip()
        if name in levels:
            found[name] = m.group(2).strip()
    if found:
        missing = [name for name in levels if name not in found]
        if missing:
            report(
                block.line,
                f"criterion describes some levels but not: {', '.join(missing)} "
                "(write `- <Level>: …` for every level)",
            )
    return found


def _acceptance_rule(plan: Plan, rubric: Block, report: Reporter) -> None:
    """The rule a plan's scores must meet before faculty can accept it."""
    minimum = rubric.settings.get("accept_minimum")
    if minimum is not None:
        if str(minimum) not in plan.levels:
            report(
                rubric.setting_lines.get("accept_minimum", rubric.line),
                f"`accept_minimum` must be one of the levels: {', '.join(plan.levels)}",
            )
        else:
            plan.accept_minimum = str(minimum)
    required = rubric.settings.get("accept_required") or {}
    line = rubric.setting_lines.get("accept_required", rubric.line)
    ids = {c.id for c in plan.criteria}
    for cid, level in required.items() if isinstance(required, dict) else []:
        if str(cid) not in ids:
            report(line, f"`accept_required` names criterion `{cid}`, which does not exist")
        elif str(level) not in plan.levels:
            report(line, f"`accept_required` level `{level}` is not one of the levels")
        else:
            plan.accept_required[str(cid)] = str(level)
