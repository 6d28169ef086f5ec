"""Pure grading: an attempt's answers against the quiz version it was drawn from."""

import random
from dataclasses import dataclass, field

from smresidency.catalog.quiz import normalise_answer


@dataclass
class QuestionResult:
    key: str
    correct: bool
    chosen: list[int] = field(default_factory=list)
    text: str = ""


def _tokens(count: int, rng: random.Random) -> list[str]:
    """Distinct random form values, one per choice, that say nothing about its position.

    The leading letter keeps a value from ever reading as a number, let alone an index.
    """
    tokens: list[str] = []
    while len(tokens) < count:
        token = f"c{rng.getrandbits(64):016x}"
        if token not in tokens:
            tokens.append(token)
    return tokens


def draw(quiz: dict, rng: random.Random) -> list[dict]:
    """Pick the attempt's questions, each one's choice order and its opaque choice values.

    `order[j]` is the source index of the choice shown at position j and `tokens[j]` the
    value its input sends, so the form never carries an index into the author's file.
    """
    questions = quiz["questions"]
    count = quiz.get("draw") or len(questions)
    picked = rng.sample(questions, count) if count < len(questions) else list(questions)
    picked.sort(key=lambda q: int(q["key"][1:]))  # drawn questions keep the author's order
    out = []
    for q in picked:
        order = list(range(len(q["choices"])))
        if quiz.get("shuffle", True) and q["kind"] != "truefalse":
            rng.shuffle(order)
        out.append({"key": q["key"], "order": order, "tokens": _tokens(len(order), rng)})
    return out


def choice_values(item: dict) -> dict[str, int]:
    """This attempt's form values of one question, each mapped to its choice's source index."""
    return dict(zip(item.get("tokens", []), item["order"], strict=False))


def value_of(item: dict, index: int) -> str:
    """The form value that picks the choice with this source index in this attempt."""
    return next(token for token, i in choice_values(item).items() if i == index)


def parse_answers(drawn: list[dict], quiz: dict, form) -> tuple[dict, list[str]]:
    """Read the submitted form into {key: [choice indices] | text}; list unanswered keys."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    answers, missing = {}, []
    for item in drawn:
        q = by_key[item["key"]]
        name = f"answer-{q['key']}"
        if q["kind"] == "text":
            value = (form.get(name) or "").strip()[:500]
            if value:
                answers[q["key"]] = value
        else:
            # only this attempt's tokens count: an index or a stranger's token picks nothing
            valid = choice_values(item)
            picked = sorted({valid[v] for v in form.getlist(name) if v in valid})
            if q["kind"] != "multiple":
                picked = picked[:1]
            if picked:
                answers[q["key"]] = picked
        if q["key"] not in answers:
            missing.append(q["key"])
    return answers, missing


def grade(quiz: dict, drawn: list[dict], answers: dict) -> tuple[float, bool, list[QuestionResult]]:
    """Score in percent and pass/fail; choose-all questions are all-or-nothing."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    results = []
    for item in drawn:
        q = by_key[item["key"]]
        given = answers.get(q["key"])
        if q["kind"] == "text":
            accepted = {normalise_answer(a) for a in q["answers"]}
            text = given if isinstance(given, str) else ""
            results.append(QuestionResult(q["key"], normalise_answer(text) in accepted, text=text))
        else:
            chosen = sorted(given) if isinstance(given, list) else []
            right = sorted(i for i, c in enumerate(q["choices"]) if c["correct"])
            results.append(QuestionResult(q["key"], chosen == right, chosen=chosen))
    raw = 100 * sum(r.correct for r in results) / len(results) if results else 0.0
    # pass on the exact share: rounding for display must never turn a fail into a pass
    return round(raw, 1), raw >= quiz.get("pass_percent", 80), results
