"""Shape stored quiz data for templates, leaving out what the learner may not see yet.

Only the sanitised `*_html` of each text is ever shown: when sanitising left nothing, the
page shows nothing rather than the author's raw text (which could hold a <meta> redirect).
"""

from smresidency.quizzes.grading import choice_values, grade


def _by_key(quiz: dict) -> dict:
    return {q["key"]: q for q in quiz["questions"]}


def attempt_questions(
    quiz: dict, drawn: list[dict], answers: dict, missing: list[str]
) -> list[dict]:
    """Questions as the learner takes them: stem, choices in this attempt's order, no key."""
    by_key = _by_key(quiz)
    out = []
    for number, item in enumerate(drawn, start=1):
        q = by_key[item["key"]]
        given = answers.get(q["key"])
        out.append(
            {
                "key": q["key"],
                "number": number,
                "kind": q["kind"],
                "stem_html": q.get("stem_html", ""),
                "detail_html": q.get("detail_html", ""),
                "choices": [
                    {
                        "value": value,
                        "html": q["choices"][i].get("text_html", ""),
                        "checked": isinstance(given, list) and i in given,
                    }
                    for value, i in choice_values(item).items()
                ],
                "text": given if isinstance(given, str) else "",
                "missing": q["key"] in missing,
            }
        )
    return out


def result_questions(quiz: dict, drawn: list[dict], answers: dict, reveal: bool) -> list[dict]:
    """Questions after grading: what was chosen and its feedback; the key only when revealed."""
    _, _, results = grade(quiz, drawn, answers)
    by_key = _by_key(quiz)
    out = []
    for number, (item, res) in enumerate(zip(drawn, results, strict=True), start=1):
        q = by_key[item["key"]]
        choices = []
        for i in item["order"]:
            c = q["choices"][i]
            picked = i in res.chosen
            choices.append(
                {
                    "html": c.get("text_html", ""),
                    "picked": picked,
                    "correct": c["correct"] if reveal else None,
                    "feedback_html": c.get("feedback_html", "") if (picked or reveal) else "",
                }
            )
        out.append(
            {
                "number": number,
                "kind": q["kind"],
                "stem_html": q.get("stem_html", ""),
                "correct": res.correct,
                "choices": choices,
                "text": res.text,
                "accepted": q["answers"] if reveal else [],
                "feedback_html": q.get("feedback_html", "") if reveal else "",
            }
        )
    return out
