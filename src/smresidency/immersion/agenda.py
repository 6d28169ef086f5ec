"""The checklist grouped by the day's agenda, so the roster reads in the order the day runs.

immersion.md names agenda sessions and checklist items separately; an item belongs to the
session whose title shares the most words with its own (earliest session on a tie). Items no
session names ("Create a Pinterest pin and board") go in a last group, "Any time in the day".
"""

import re
from dataclasses import dataclass, field

ANY_TIME = "Any time in the day"
# words that say nothing about which session an item belongs to
_QUIET = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "on",
        "or",
        "in",
        "to",
        "for",
        "with",
        "your",
        "you",
        "its",
        "it",
        "their",
        "our",
        "by",
        "at",
        "from",
        "after",
        "before",
        "again",
        "day",
        "finish",
        "submit",
        "short",
    ]
)


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


def _words(text: str) -> set[str]:
    """Significant words, lower case, plural "s" dropped ("posts" and "post" match)."""
    found = re.findall(r"[a-z]+", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in found if w not in _QUIET}


def _session_of(title: str, sessions: list[tuple[int, set[str]]]) -> int | None:
    """The index of the session sharing the most words with an item's title, if any."""
    words = _words(title)
    best, best_score = None, 0
    for index, session_words in sessions:
        score = len(words & session_words)
        if score > best_score:
            best, best_score = index, score
    return best


def sections(immersion: dict | None, checklist: list[dict]) -> list[Section]:
    """The sessions that have checklist items, in time order, then the items no session names.

    Without an agenda every item is in one untitled-time group, in the checklist's order.
    """
    slots = (immersion or {}).get("agenda") or []
    groups = [Section(str(s.get("title", "")), s.get("start", ""), s.get("end", "")) for s in slots]
    sessions = [(i, _words(g.title)) for i, g in enumerate(groups)]
    rest = Section(ANY_TIME if groups else "The day's checklist")
    for index, entry in enumerate(checklist):
        found = _session_of(entry.get("title", ""), sessions)
        (rest if found is None else groups[found]).indexes.append(index)
    return [g for g in [*groups, rest] if g.indexes]
