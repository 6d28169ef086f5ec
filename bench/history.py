"""Submitted quiz attempts to match the seeded progress, graded by the app's own code."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from course import LiveModule
from sqlalchemy import insert, select

# How many submitted attempts a passed quiz took, and how many failed attempts a learner who
# has read a module but not passed its quiz has made so far (3 uses up the usual limit).
ATTEMPTS_TO_PASS = ((1, 0.65), (2, 0.25), (3, 0.10))
FAILED_WHILE_READING = ((0, 0.60), (1, 0.25), (2, 0.10), (3, 0.05))


def _pick(table, rng) -> int:
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def _answer(question: dict, right: bool, rng):
    """What a learner enters for one question: the key, or a plausible wrong answer."""
    if question["kind"] == "text":
        return question["answers"][0] if right else rng.choice(("not sure", "skip", "n/a"))
    key = [i for i, c in enumerate(question["choices"]) if c["correct"]]
    wrong = [i for i, c in enumerate(question["choices"]) if not c["correct"]]
    if right:
        return key if question["kind"] == "multiple" else key[:1]
    if question["kind"] != "multiple":
        return [rng.choice(wrong)] if wrong else key[:1]
    toggled = set(key) ^ {rng.randrange(len(question["choices"]))}
    return sorted(toggled) or [rng.choice(wrong or key)]


def answers_for(quiz: dict, drawn: list[dict], rng, share_right: float) -> dict:
    """Answers to every drawn question, each right with probability `share_right`."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    return {
        item["key"]: _answer(by_key[item["key"]], rng.random() < share_right, rng) for item in drawn
    }


def graded_attempt(quiz: dict, rng, want_pass: bool) -> tuple[list, dict, float, bool, list]:
    """A draw (the app's own `draw`) and answers that pass or fail as wanted, graded by the
    app's own `grade`: (questions, answers, score, passed, per-question results)."""
    from smresidency.quizzes.grading import draw, grade

    drawn = draw(quiz, rng)
    for tries in range(30):
        if tries == 29:  # unlucky: all right or all wrong settles it
            answers = answers_for(quiz, drawn, rng, 1.0 if want_pass else 0.0)
        else:
            answers = answers_for(quiz, drawn, rng, 0.9 if want_pass else 0.45)
        score, passed, results = grade(quiz, drawn, answers)
        if passed == want_pass:
            break
    return drawn, answers, score, passed, results


def insert_quiz_history(db, progress: list[dict], modules: list[LiveModule], rng) -> dict:
    """Submitted attempts for the marks already seeded, with their QuizResponse rows.

    A completed module has one passing attempt submitted at its `completed_at`, after 0-2
    failed ones; a module read but not completed has 0-3 failed ones. Attempts respect the
    quiz's cooldown and fall between the read mark and the completion mark (or now).
    """
    from smresidency.quizzes.models import QuizAttempt, QuizResponse

    now = datetime.now(UTC)
    quizzes = {m.id: m.quiz for m in modules if m.quiz}
    attempts: list[dict] = []
    responses: dict[str, list[dict]] = {}
    to_pass: dict[int, int] = {}
    failing: dict[int, int] = {}
    for mark in progress:
        quiz = quizzes.get(mark["module_id"])
        if quiz is None or mark["read_at"] is None:
            continue
        cooldown = timedelta(seconds=quiz.get("cooldown_seconds") or 0)
        if mark["completed_at"] is not None:
            outcomes = [False] * (_pick(ATTEMPTS_TO_PASS, rng) - 1) + [True]
            times = _schedule_back(mark["read_at"], mark["completed_at"], len(outcomes),
                                   cooldown, rng)  # fmt: skip
            outcomes = outcomes[len(outcomes) - len(times) :]
            to_pass[len(times)] = to_pass.get(len(times), 0) + 1
        else:
            want = _pick(FAILED_WHILE_READING, rng)
            times = _schedule_forward(mark["read_at"], now, want, cooldown, rng)
            outcomes = [False] * len(times)
            failing[len(times)] = failing.get(len(times), 0) + 1
        for (started_at, submitted_at), want_pass in zip(times, outcomes, strict=True):
            drawn, answers, score, passed, results = graded_attempt(quiz, rng, want_pass)
            token = secrets.token_urlsafe(24)
            attempts.append(
                {
                    "token": token,
                    "user_id": mark["user_id"],
                    "module_id": mark["module_id"],
                    "version_id": mark["version_id"],
                    "questions": drawn,
                    "started_at": started_at,
                    "submitted_at": submitted_at,
                    "answers": answers,
                    "score": score,
                    "passed": passed,
                }
            )
            responses[token] = [
                {
                    "question_key": r.key,
                    "choice_index": choice,
                    "text_answer": r.text or None,
                    "correct": r.correct,
                }
                for r in results
                for choice in (r.chosen or [None])
            ]
    response_rows = []
    if attempts:
        db.session.execute(insert(QuizAttempt), attempts)
        ids = dict(db.session.execute(select(QuizAttempt.token, QuizAttempt.id)).all())
        response_rows = [
            {"attempt_id": ids[token], **row} for token, rows in responses.items() for row in rows
        ]
        db.session.execute(insert(QuizResponse), response_rows)
    return {
        "quiz_attempts": len(attempts),
        "quiz_responses": len(response_rows),
        "attempts_to_pass": dict(sorted(to_pass.items())),
        "failed_while_reading": dict(sorted(failing.items())),
    }


def _sitting(rng) -> timedelta:
    return timedelta(minutes=rng.randint(2, 8), seconds=rng.randint(0, 59))


def _schedule_back(read_at, passed_at, count, cooldown, rng) -> list[tuple]:
    """(started, submitted) of up to `count` attempts ending with one submitted at passed_at,
    each starting after the previous one's cooldown, none starting before read_at."""
    times = []
    submitted = passed_at
    for _ in range(count):
        started = submitted - _sitting(rng)
        if started < read_at:
            break
        times.append((started, submitted))
        submitted = started - cooldown - timedelta(minutes=rng.randint(0, 5))
    return times[::-1] or [(max(read_at, passed_at - timedelta(minutes=2)), passed_at)]


def _schedule_forward(read_at, now, count, cooldown, rng) -> list[tuple]:
    """(started, submitted) of up to `count` failed attempts after read_at, cooldown apart,
    the last one's cooldown over by now (so the learner could start another)."""
    times = []
    started = read_at + timedelta(minutes=rng.randint(1, 30))
    for _ in range(count):
        submitted = started + _sitting(rng)
        if submitted + cooldown > now:
            break
        times.append((started, submitted))
        started = submitted + cooldown + timedelta(minutes=rng.randint(0, 600))
    return times
