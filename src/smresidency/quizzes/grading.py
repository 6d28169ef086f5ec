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


def draw(quiz: dict, rng: random.Random) -> list[dict]:
    """Pick the attempt's questions and each one's choice order."""
    questions = quiz["questions"]
    count = quiz.get("draw") or len(questions)
    picked = rng.sample(questions, count) if count < len(questions) else list(questions)
    picked.sort(key=lambda q: int(q["key"][1:]))  # drawn questions keep the author's order
    out = []
    for q in picked:
        order = list(range(len(q["choices"])))
        if quiz.get("shuffle", True) and q["kind"] != "truefalse":
            rng.shuffle(order)
        out.append({"key": q["key"], "order": order})
    return out


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
            # compare as strings: "²" and 5,000-digit values pass isdigit() but crash int()
            valid = {str(i): i for i in range(len(q["choices"]))}
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
