"""How long a module really takes: reading, quiz and activities, from what the author wrote.

Pure Python, shared by `flask content validate` (a warning), `flask content lint` and the
studio preview, so every place gives the same figure.
"""

import re
from dataclasses import dataclass

WORDS_PER_MINUTE = 200
MINUTES_PER_QUESTION = 1.5
TOLERANCE = 0.20  # declared minutes may differ from the estimate by this share
ACTIVITY = re.compile(r"^#{2,4}\s+Activity\b.*\((\d{1,3})\s*min(?:utes?)?\)\s*$", re.IGNORECASE)
FENCE = re.compile(r"^(```|~~~)")
WORD = re.compile(r"[A-Za-z\u00c0-\u00ff0-9][\w'\u2019-]*")


@dataclass(frozen=True)
class Estimate:
    """The parts of a module's time, in minutes, and their total (rounded)."""

    words: int
    reading: float
    questions: int
    quiz: float
    activities: int

    @property
    def total(self) -> int:
        return round(self.reading + self.quiz + self.activities)

    def differs_from(self, declared: int) -> bool:
        """True when the declared minutes are more than TOLERANCE away from the estimate."""
        if not declared or not self.total:
            return False
        return abs(declared - self.total) > TOLERANCE * self.total

    def explain(self) -> str:
        """One sentence an author can check against their own sums."""
        return (
            f"{self.words} words ÷ {WORDS_PER_MINUTE} = {self.reading:.0f} min reading, "
            f"{self.questions} drawn question(s) x {MINUTES_PER_QUESTION} = {self.quiz:.0f} min, "
            f"{self.activities} min of activities: about {self.total} min"
        )


def activity_minutes(lesson: str) -> list[tuple[int, int]]:
    """(line offset in the lesson, minutes) of each `## Activity … (N min)` heading."""
    found, in_fence = [], False
    for i, line in enumerate(lesson.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := ACTIVITY.match(line.strip())):
            found.append((i, int(m.group(1))))
    return found


def reading_words(lesson: str) -> int:
    """Words a learner reads: prose and tables, not code blocks, link targets or markup."""
    kept, in_fence = [], False
    for line in lesson.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            kept.append(re.sub(r"\]\([^)]*\)", "]", line))
    return len(WORD.findall("\n".join(kept)))


def estimate(lesson: str, drawn_questions: int) -> Estimate:
    """The module's estimated minutes from its lesson text and the questions a learner answers."""
    words = reading_words(lesson)
    activities = sum(minutes for _, minutes in activity_minutes(lesson))
    return Estimate(
        words,
        words / WORDS_PER_MINUTE,
        drawn_questions,
        drawn_questions * MINUTES_PER_QUESTION,
        activities,
    )


def drawn(quiz) -> int:
    """How many questions one attempt asks: the draw, or every question."""
    if quiz is None:
        return 0
    count = len(quiz.questions)
    return min(quiz.draw, count) if quiz.draw else count
