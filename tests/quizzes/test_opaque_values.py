"""Issue 20.1: a choice's form value says nothing about where the author put the right answer.

The shipped course marks most right answers second, so a form value that was the source
index let a learner pass without reading by sending `1` everywhere.
"""

import json
import random
import re
from pathlib import Path
from statistics import mean

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from smresidency import create_app
from smresidency.catalog.loader import load_content
from smresidency.catalog.models import Module, ModuleVersion
from smresidency.catalog.sync import render_quiz
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.quizzes.grading import choice_values, draw, grade, parse_answers, value_of
from smresidency.quizzes.models import QuizAttempt
from tests.conftest import _config, _drop_postgres_database, _postgres_database

CONTENT = Path(__file__).resolve().parents[2] / "course_content"
SEEDS = 400


def real_quizzes() -> dict[str, dict]:
    """Every module quiz of the shipped course, as the sync stores it."""
    courses, problems = load_content(CONTENT)
    assert problems == []
    return {m.slug: render_quiz(m.quiz.to_dict()) for c in courses for m in c.modules if m.quiz}


def same_value_everywhere(drawn: list[dict], value: str) -> MultiDict:
    return MultiDict([(f"answer-{item['key']}", value) for item in drawn])


def shown_at(drawn: list[dict], quiz: dict, position: int) -> MultiDict:
    """A learner who ticks the choice shown at `position` of every question without reading."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    form = MultiDict()
    for item in drawn:
        if by_key[item["key"]]["kind"] == "text":
            form.add(f"answer-{item['key']}", "no idea")
        else:
            form.add(
                f"answer-{item['key']}", item["tokens"][min(position, len(item["tokens"]) - 1)]
            )
    return form


def chance(q: dict, position: int, shuffle: bool) -> float:
    """The probability that ticking only the choice at `position` gets this question right."""
    if q["kind"] == "text":
        return 0.0
    right = [c["correct"] for c in q["choices"]]
    if sum(right) != 1:
        return 0.0  # choose-all with several right answers: one tick is never enough
    if q["kind"] == "truefalse" or not shuffle:
        return float(right[min(position, len(right) - 1)])
    return 1 / len(right)


# --- pure: many seeded attempts of every real quiz -------------------------------------------


def test_the_same_value_for_every_question_scores_nothing_in_any_real_quiz():
    for slug, quiz in real_quizzes().items():
        for seed in range(SEEDS):
            drawn = draw(quiz, random.Random(seed))
            for value in ("0", "1", "2", "3", drawn[0]["tokens"][0] if drawn[0]["tokens"] else "x"):
                answers, missing = parse_answers(drawn, quiz, same_value_everywhere(drawn, value))
                _, passed, _ = grade(quiz, drawn, answers)
                assert passed is False, (slug, seed, value)
                # only the question the value came from, and free-text ones, count as answered
                typed = sum(1 for item in drawn if not item["order"])
                assert len(missing) >= len(drawn) - 1 - typed, (slug, seed, value)


@pytest.mark.parametrize("position", [0, 1])
def test_ticking_the_same_place_in_every_question_scores_what_chance_gives(position):
    for slug, quiz in real_quizzes().items():
        shuffle = quiz.get("shuffle", True)
        expected = 100 * mean(chance(q, position, shuffle) for q in quiz["questions"])
        scores, passes = [], 0
        for seed in range(SEEDS):
            drawn = draw(quiz, random.Random(seed))
            answers, missing = parse_answers(drawn, quiz, shown_at(drawn, quiz, position))
            assert missing == []
            score, passed, _ = grade(quiz, drawn, answers)
            scores.append(score)
            passes += passed
        # every question is equally likely to be drawn, so the mean is the bank's chance level
        assert abs(mean(scores) - expected) < 6, (slug, position, mean(scores), expected)
        assert expected < 45, (slug, position, expected)
        assert passes / SEEDS < 0.1, (slug, position, passes)


def second_answer_quiz(tmp_path: Path) -> dict:
    """A small course whose every right answer sits second, as the old module 01 had it."""
    questions = "".join(
        f"### Scenario {n}: which reply keeps the patient safe?\n"
        "- [ ] Answer in the comments\n  > Public replies spread details.\n"
        "- [x] Move to a private channel\n  > Right: take it out of public view.\n"
        "- [ ] Ignore the message\n  > Silence leaves the person without help.\n\n"
        for n in range(1, 9)
    )
    module = (
        "---\ntitle: Positions\nminutes: 10\n---\nA short lesson.\n\n"
        "## Quiz\npass: 80%\ndraw: 5\n\n" + questions
    )
    course = tmp_path / "demo"
    (course / "modules").mkdir(parents=True)
    (course / "course.md").write_text("---\ntitle: Demo\nsummary: A test.\nhours: 1\n---\nAbout.\n")
    (course / "modules" / "01-positions.md").write_text(module)
    courses, problems = load_content(tmp_path)
    assert problems == []
    return render_quiz(courses[0].modules[0].quiz.to_dict())


def test_a_source_index_was_enough_to_pass_before(tmp_path):
    """What the issue measured: with index values, `1` everywhere passed a quiz whose author
    put every right answer second; with opaque values it scores nothing."""
    quiz = second_answer_quiz(tmp_path)
    by_index = []
    for seed in range(SEEDS):
        drawn = draw(quiz, random.Random(seed))
        old_style = {  # what parse_answers did with "1" when the value was the index
            item["key"]: [1] for item in drawn if len(item["order"]) > 1
        }
        by_index.append(grade(quiz, drawn, old_style)[1])
    assert sum(by_index) / SEEDS > 0.5  # the hole this issue closes
    for seed in range(SEEDS):
        drawn = draw(quiz, random.Random(seed))
        answers, _ = parse_answers(drawn, quiz, same_value_everywhere(drawn, "1"))
        assert grade(quiz, drawn, answers)[:2] == (0.0, False)


# --- through the pages, on the synced course --------------------------------------------------


def test_no_module_of_the_real_course_passes_with_one_value_sent_everywhere(
    app, client, login_as, synced_course
):
    learner = login_as("learner")
    with app.app_context():
        modules = db.session.scalars(
            select(Module).where(~Module.retired).order_by(Module.position)
        ).all()
        slugs = [m.slug for m in modules]
    assert len(slugs) == 14
    for slug in slugs:
        url = f"/courses/{synced_course}/modules/{slug}"
        assert client.post(f"{url}/read").status_code == 302
        started = client.post(f"{url}/quiz")
        assert started.status_code == 302, slug
        token = re.fullmatch(r"/quiz/([\w-]+)", started.headers["Location"])[1]
        page = client.get(f"/quiz/{token}").get_data(as_text=True)
        values = re.findall(r'<input type="(?:radio|checkbox)"[^>]* value="([^"]*)"', page)
        assert values and not any(v.isdigit() for v in values), slug
        names = set(re.findall(r'name="(answer-q\d+)"', page))
        for value in ("0", "1", "2", "3"):
            response = client.post(f"/quiz/{token}", data={name: value for name in names})
            assert response.status_code == 422, (slug, value)  # unanswered, not graded
            assert "Please answer every question." in response.get_data(as_text=True)
        with app.app_context():
            attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
            assert attempt.user_id == learner.id
            assert (attempt.submitted_at, attempt.score, attempt.passed) == (None, None, None)
            quiz = db.session.get(ModuleVersion, attempt.version_id).quiz
            drawn = attempt.questions
        # the learner who reads the module passes it, which opens the next one
        by_key = {q["key"]: q for q in quiz["questions"]}
        form = MultiDict()
        for item in drawn:
            q = by_key[item["key"]]
            if q["kind"] == "text":
                form.add(f"answer-{q['key']}", q["answers"][0])
            for i, c in enumerate(q["choices"]):
                if c["correct"]:
                    form.add(f"answer-{q['key']}", value_of(item, i))
        assert client.post(f"/quiz/{token}", data=form).status_code == 302
        with app.app_context():
            attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
            assert (attempt.score, attempt.passed) == (100.0, True), slug


def test_values_differ_between_attempts_and_answers_are_kept_in_source_order(
    app, client, login_as, synced_course
):
    """Two learners see different values for the same choice; both record the same index."""
    url = f"/courses/{synced_course}/modules/01-why-social-media"
    recorded = []
    for _ in range(2):
        login_as("learner")
        client.post(f"{url}/read")
        token = client.post(f"{url}/quiz").headers["Location"].rsplit("/", 1)[1]
        with app.app_context():
            attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
            drawn = attempt.questions
        first = next(item for item in drawn if item["order"])  # the first choice question
        assert first["key"] in client.get(f"/quiz/{token}").get_data(as_text=True)
        form = {f"answer-{item['key']}": value_of(item, 0) for item in drawn if item["order"]}
        form |= {f"answer-{item['key']}": "an answer" for item in drawn if not item["order"]}
        client.post(f"/quiz/{token}", data=form)
        with app.app_context():
            attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
            assert attempt.submitted_at is not None
            recorded.append((attempt.answers, choice_values(first)))
    (answers_a, values_a), (answers_b, values_b) = recorded
    assert set(values_a).isdisjoint(values_b)  # no value means the same thing twice
    for answers in (answers_a, answers_b):  # stored as source indices, as before
        assert all(v == [0] for v in answers.values() if isinstance(v, list))


# --- attempts opened before the upgrade ------------------------------------------------------


def test_migration_gives_open_attempts_values_and_leaves_submitted_ones_alone(tmp_path):
    import os

    base = os.environ.get("SMRESIDENCY_TEST_DATABASE_URL")
    url = _postgres_database(base) if base else f"sqlite:///{tmp_path}/legacy.db"
    app = create_app(_config(url, tmp_path))
    quiz = {"questions": [{"key": "q1", "choices": [{}, {}, {}]}, {"key": "q2", "choices": []}]}
    legacy = [{"key": "q1", "order": [2, 0, 1]}, {"key": "q2", "order": []}]
    try:
        with app.app_context():
            upgrade(revision="0008")
            with db.engine.begin() as conn:
                for sql in LEGACY_ROWS:
                    conn.execute(text(sql), {"quiz": json.dumps(quiz), "drawn": json.dumps(legacy)})
            upgrade(revision="0009")
            with db.engine.connect() as conn:
                rows = dict(conn.execute(text("SELECT id, questions FROM quiz_attempt")).all())
            rows = {k: json.loads(v) if isinstance(v, str) else v for k, v in rows.items()}
            open_q1, open_q2 = rows[1]
            assert open_q1["order"] == [2, 0, 1] and len(set(open_q1["tokens"])) == 3
            assert not any(t.isdigit() for t in open_q1["tokens"])
            assert open_q2["tokens"] == []
            assert choice_values(open_q1) == dict(zip(open_q1["tokens"], [2, 0, 1], strict=True))
            assert rows[2] == legacy  # submitted: its answers are source indices already

            downgrade(revision="0008")
            with db.engine.connect() as conn:
                back = conn.execute(
                    text("SELECT questions FROM quiz_attempt WHERE id = 1")
                ).scalar()
            assert (json.loads(back) if isinstance(back, str) else back) == legacy
            db.engine.dispose()
    finally:
        if base:
            _drop_postgres_database(url, base)


LEGACY_ROWS = [
    "INSERT INTO course (id, slug, title, summary, description_html, hours, organisation,"
    " competencies, certificate, content_hash, rendered_with, synced_at) VALUES"
    " (1, 'c', 'C', '', '', 1, '', '[]', '{}', 'h', 0, CURRENT_TIMESTAMP)",
    "INSERT INTO module (id, course_id, slug, position, current_hash, retired)"
    " VALUES (1, 1, '01-a', 1, 'h1', false)",
    "INSERT INTO module_version (id, module_id, content_hash, title, minutes, objectives,"
    " requires, lesson_html, quiz, source, rendered_with, created_at) VALUES"
    " (1, 1, 'h1', 'A', 5, '[]', '[]', '', :quiz, '', 0, CURRENT_TIMESTAMP)",
    'INSERT INTO "user" (id, email, name, password_hash, session_token, active, created_at)'
    " VALUES (1, 'a@example.test', 'A', 'x', 's1', true, CURRENT_TIMESTAMP)",
    "INSERT INTO quiz_attempt (id, token, user_id, module_id, version_id, questions,"
    " started_at) VALUES (1, 'open', 1, 1, 1, :drawn, CURRENT_TIMESTAMP)",
    "INSERT INTO quiz_attempt (id, token, user_id, module_id, version_id, questions,"
    " started_at, submitted_at, answers, score, passed) VALUES (2, 'done', 1, 1, 1, :drawn,"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{\"q1\": [0]}', 50.0, false)",
]


def test_an_attempt_submitted_before_values_were_opaque_shows_the_same_result(
    app, client, login_as, synced_course
):
    """Old rows have no tokens and answers as source indices: result and grade are unchanged."""
    learner = login_as("learner")
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "01-why-social-media"))
        version = db.session.scalar(
            select(ModuleVersion).where(ModuleVersion.content_hash == module.current_hash)
        )
        questions = version.quiz["questions"][:5]
        legacy = [{"key": q["key"], "order": list(range(len(q["choices"])))} for q in questions]
        right = {
            q["key"]: [i for i, c in enumerate(q["choices"]) if c["correct"]]
            if q["kind"] != "text"
            else q["answers"][0]
            for q in questions
        }
        score, passed, _ = grade(version.quiz, legacy, right)
        db.session.add(
            QuizAttempt(
                token="legacy-attempt",
                user_id=learner.id,
                module_id=module.id,
                version_id=version.id,
                questions=legacy,
                submitted_at=utcnow(),
                answers=right,
                score=score,
                passed=passed,
            )
        )
        db.session.commit()
    assert (score, passed) == (100.0, True)
    page = client.get("/quiz/legacy-attempt/result").get_data(as_text=True)
    assert "You scored <strong>100%</strong>" in page
    first_right = next(c for c in questions[0]["choices"] if c["correct"])
    picked = re.search(r'<li class="picked">(.*?)</li>', page, re.S).group(1)
    assert first_right["text_html"] in picked
