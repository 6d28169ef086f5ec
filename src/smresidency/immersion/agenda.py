"""The checklist grouped by the day's agenda, so the roster reads in the order the day runs.

Each item of immersion.md may name its agenda session by start time (`session: 10:30`; the
loader refuses a time no session starts at). Items that name none go in a last group,
"Any time in the day".
"""

from dataclasses import dataclass, field

ANY_TIME = "Any time in the day"


@dataclass
class Section:
    """One agenda session with the checklist items done in it (by index into the checklist)."""

    title: str
    start: str = ""
    end: str = ""
    indexes: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        """What the roster shows above the session's buttons: "09:30 Demo chat on X…"."""
        return f"{self.start} {self.title}" if self.start else self.title


def sections(immersion: dict | None, checklist: list[dict]) -> list[Section]:
    """The sessions that have checklist items, in time order, then the items no session names.

    Without an agenda every item is in one group, in the checklist's order.
    """
    slots = (immersion or {}).get("agenda") or []
    groups = [Section(str(s.get("title", "")), s.get("start", ""), s.get("end", "")) for s in slots]
    by_start = {g.start: g for g in groups if g.start}
    rest = Section(ANY_TIME if groups else "The day's checklist")
    for index, entry in enumerate(checklist):
        by_start.get(entry.get("session") or "", rest).indexes.append(index)
    return [g for g in [*groups, rest] if g.indexes]
