"""Taking a quiz through the browser's eyes: start, take, submit, result, limits, versions."""

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, update

from smresidency.catalog.models import Module, ModuleVersion
from smresidency.catalog.sync import sync_content
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.quizzes import services
from smresidency.quizzes.grading import grade, value_of
from smresidency.quizzes.models import QuizAttempt, QuizResponse
from smresidency.quizzes.services import whole_minute_after

COURSE = "test-course"
MODULE = f"/courses/{COURSE}/modules/01-privacy"
NEXT = f"/courses/{COURSE}/modules/02-next"

QUESTION_FEEDBACK = "Boundaries protect both patient and clinician online."

QUIZ = f"""
## Quiz
pass: 75%
attempts: 3
cooldown: 10m
draw: 4
shuffle: true
show_answers: after_pass

### A patient sends you a friend request on your personal account. What should you do?
- [ ] Accept it to build rapport.
  > Accepting mixes personal and clinical relationships.
- [x] Decline politely and point them to the official page.
  > Declining keeps a professional boundary in place.
- [ ] Ignore it and say nothing.
  > Silence leaves the patient guessing.
> {QUESTION_FEEDBACK}

### Which of these identify a patient? (choose all that apply)
- [x] A full-face photograph
  > Photographs of faces identify a person.
- [x] A medical record number
  > Record numbers are direct identifiers.
- [ ] The name of the hospital cafeteria
  > A cafeteria name says nothing about a patient.
> Eighteen identifiers are listed in the Privacy Rule.

### A de-identified case can still be recognisable from its details.
- [x] True
  > Rare conditions and dates can point to one patient.
- [ ] False
  > Small details combine to single people out.
> Combinations of small details re-identify patients.

### What do we call health data that can identify a patient?
= Protected health information
= PHI
> The Privacy Rule covers such data in every medium.
"""


def write(write_course, quiz: str = QUIZ):
    return write_course(
        modules={
            "01-privacy": {"title": "Privacy", "quiz": quiz},
            "02-next": {"title": "Next steps", "requires": ["01-privacy"]},
        }
    )


def sync(app, root) -> None:
    with app.app_context():
        sync_content(root)
        db.session.commit()


@pytest.fixture
def course_root(app, write_course):
    root = write(write_course)
    sync(app, root)
    return root


@pytest.fixture
def learner(client, login_as, course_root):
    """A signed-in learner who has read module 01."""
    user = login_as("learner")
    assert client.post(f"{MODULE}/read").status_code == 302
    return user


# --- helpers -----------------------------------------------------------------------------


def attempts_of(app, user_id: int) -> list[QuizAttempt]:
    with app.app_context():
        rows = db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def response_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QuizResponse))


def quiz_of_attempt(app, token: str) -> tuple[dict, list[dict]]:
    """The stored quiz JSON of the version the attempt was drawn from, and the draw."""
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        version = db.session.get(ModuleVersion, attempt.version_id)
        return version.quiz, attempt.questions


def start(client) -> str:
    """Start (or resume) an attempt; return its token."""
    response = client.post(f"{MODULE}/quiz")
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/quiz/([\w-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def correct_answers(quiz: dict, drawn: list[dict]) -> dict:
    """The form a learner who knows every answer would send: this attempt's values of the
    choices the stored quiz marks correct."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    form = {}
    for item in drawn:
        q = by_key[item["key"]]
        name = f"answer-{q['key']}"
        if q["kind"] == "text":
            form[name] = q["answers"][0]
        else:
            form[name] = [value_of(item, i) for i, c in enumerate(q["choices"]) if c["correct"]]
    return form


def wrong_choice(q: dict) -> int:
    """The first wrong choice of a choice question that has feedback."""
    return next(i for i, c in enumerate(q["choices"]) if not c["correct"] and c["feedback"])


def failing_answers(quiz: dict, drawn: list[dict]) -> dict:
    """Questions 1 and 4 wrong, 2 and 3 right: 50%, below the 75% pass mark."""
    form = correct_answers(quiz, drawn)
    form["answer-q1"] = [value_of(drawn[0], wrong_choice(quiz["questions"][0]))]
    form["answer-q4"] = "Private hospital information"
    return form


def submit(client, token: str, form: dict):
    return client.post(f"/quiz/{token}", data=form)


def backdate(app, token: str, minutes: int = 11) -> None:
    """Pretend the attempt was submitted long enough ago for the cooldown to have passed."""
    with app.app_context():
        db.session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.token == token)
            .values(submitted_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def text_of(page: str) -> str:
    """The page's text with tags removed and whitespace folded, for phrase assertions."""
    folded = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([.,;:!?])", r"\1", folded)


def flashes(page: str) -> list[str]:
    return [text_of(m) for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.S)]


class FormParser(HTMLParser):
    """Collects the quiz form's fieldsets, legends, inputs and labels."""

    def __init__(self):
        super().__init__()
        self.fieldsets: list[dict] = []
        self.inputs: list[dict] = []
        self.labels: list[str] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._open and self._open[-1]["first_child"] is None:
            self._open[-1]["first_child"] = tag
        if tag == "fieldset":
            fieldset = {"id": attrs.get("id"), "first_child": None, "inputs": []}
            self.fieldsets.append(fieldset)
            self._open.append(fieldset)
        elif tag == "input":
            self.inputs.append(attrs)
            if self._open:
                self._open[-1]["inputs"].append(attrs)
        elif tag == "label" and attrs.get("for"):
            self.labels.append(attrs["for"])

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._open:
            self._open.pop()


def parse_form(page: str) -> FormParser:
    parser = FormParser()
    parser.feed(page)
    return parser


def choice_layout(page: str) -> list[tuple[str, str]]:
    """The (name, value) of every answer input, in page order: question and choice order."""
    return [
        (i["name"], i.get("value", ""))
        for i in parse_form(page).inputs
        if i.get("name", "").startswith("answer-")
    ]


def checked_values(page: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i in parse_form(page).inputs:
        if i.get("name", "").startswith("answer-") and "checked" in i:
            out.setdefault(i["name"], []).append(i["value"])
    return {name: sorted(values) for name, values in out.items()}


# --- starting ----------------------------------------------------------------------------


def test_quiz_cannot_start_before_the_module_is_read(app, client, login_as, course_root):
    user = login_as("learner")
    response = client.post(f"{MODULE}/quiz", follow_redirects=True)
    assert response.request.path == MODULE
    assert "Read the module and mark it as read before you take its quiz." in flashes(
        response.get_data(as_text=True)
    )
    assert "Take the quiz" not in response.get_data(as_text=True)
    assert attempts_of(app, user.id) == []


def test_starting_creates_one_attempt_and_opens_it(app, client, learner):
    assert "Take the quiz" in client.get(MODULE).get_data(as_text=True)
    token = start(client)
    attempts = attempts_of(app, learner.id)
    assert [a.token for a in attempts] == [token]
    assert attempts[0].submitted_at is None
    assert client.get(f"/quiz/{token}").status_code == 200


def test_reload_and_restart_reuse_the_same_attempt_and_order(app, client, learner):
    token = start(client)
    first = client.get(f"/quiz/{token}").get_data(as_text=True)
    again = client.get(f"/quiz/{token}").get_data(as_text=True)
    assert "Continue your attempt" in client.get(MODULE).get_data(as_text=True)
    assert start(client) == token
    after_restart = client.get(f"/quiz/{token}").get_data(as_text=True)
    layout = choice_layout(first)
    assert len(layout) == 3 + 3 + 2 + 1
    assert choice_layout(again) == layout == choice_layout(after_restart)
    assert len(attempts_of(app, learner.id)) == 1
    # the page follows the stored draw: questions in author order, choices in drawn order
    quiz, drawn = quiz_of_attempt(app, token)
    expected = []
    for item in drawn:
        q = next(q for q in quiz["questions"] if q["key"] == item["key"])
        name = f"answer-{item['key']}"
        expected += [(name, v) for v in item["tokens"]] if q["choices"] else [(name, "")]
    assert layout == expected
    assert [item["key"] for item in drawn] == ["q1", "q2", "q3", "q4"]


# --- the take page -------------------------------------------------------------------------


def test_take_page_holds_no_answer_key(app, client, learner):
    token = start(client)
    page = client.get(f"/quiz/{token}").get_data(as_text=True)
    quiz, _ = quiz_of_attempt(app, token)
    plain = html.unescape(page)

    secrets = []
    for q in quiz["questions"]:
        if q["feedback"]:
            secrets += [q["feedback"], q["feedback_html"]]
        for c in q["choices"]:
            if c["feedback"]:
                secrets += [c["feedback"], c["feedback_html"]]
        secrets += q["answers"]
    assert QUESTION_FEEDBACK in secrets
    assert "PHI" in secrets and "Protected health information" in secrets
    for secret in secrets:
        pattern = r"(?<!\w)" + re.escape(secret) + r"(?!\w)"
        assert not re.search(pattern, page), secret
        assert not re.search(pattern, plain, re.I), secret

    # the choices themselves are there: the page is not simply empty
    for q in quiz["questions"]:
        assert q["stem_html"] in page
        for c in q["choices"]:
            assert c["text_html"] in page

    lowered = page.lower()
    for word in ("correct", "data-", "checked", "right", "wrong", "feedback", "answer-key"):
        assert word not in lowered, word
    # every answer input carries the same attributes, so none can stand out as the key
    for i in parse_form(page).inputs:
        if i.get("name", "").startswith("answer-"):
            assert set(i) <= {"type", "id", "name", "value", "maxlength", "autocomplete"}, i
        else:
            assert i.get("type") == "hidden" and i.get("name") == "csrf_token", i


def test_every_question_is_a_fieldset_with_a_legend_and_every_input_a_label(client, learner):
    token = start(client)
    parsed = parse_form(client.get(f"/quiz/{token}").get_data(as_text=True))
    assert [f["id"] for f in parsed.fieldsets] == [f"question-q{i}" for i in range(1, 5)]
    for fieldset in parsed.fieldsets:
        assert fieldset["first_child"] == "legend", fieldset
        assert fieldset["inputs"], fieldset
    answer_inputs = [i for i in parsed.inputs if i.get("name", "").startswith("answer-")]
    in_fieldsets = [i for f in parsed.fieldsets for i in f["inputs"]]
    assert len(answer_inputs) == len(in_fieldsets) == 9
    ids = [i["id"] for i in answer_inputs]
    assert len(set(ids)) == len(ids)
    for input_id in ids:
        assert parsed.labels.count(input_id) == 1, input_id
    kinds = {i["name"]: i["type"] for i in answer_inputs}
    assert kinds == {
        "answer-q1": "radio",
        "answer-q2": "checkbox",
        "answer-q3": "radio",
        "answer-q4": "text",
    }


# --- submitting ----------------------------------------------------------------------------


def test_unanswered_question_is_refused_with_answers_kept(app, client, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    form = correct_answers(quiz, drawn)
    del form["answer-q3"]
    form["answer-q4"] = "protected health information"
    response = submit(client, token, form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)

    summary = re.search(r'<div class="form-errors" role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary with role=alert"
    assert re.findall(r'href="(#[^"]+)"', summary.group(1)) == ["#question-q3"]
    assert 'id="question-q3"' in page
    assert "1 is still unanswered" in text_of(summary.group(1))

    assert checked_values(page) == {
        "answer-q1": sorted(form["answer-q1"]),
        "answer-q2": sorted(form["answer-q2"]),
    }
    assert 'value="protected health information"' in page

    [attempt] = attempts_of(app, learner.id)
    assert attempt.submitted_at is None and attempt.score is None and attempt.answers is None
    assert response_count(app) == 0


def test_passing_completes_the_module_and_unlocks_the_next(app, client, learner):
    before = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "Your progress: <strong>0 of 2 modules complete</strong>" in before  # 01 read only
    assert client.get(NEXT).status_code == 403

    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    response = submit(client, token, correct_answers(quiz, drawn))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/quiz/{token}/result"

    result = client.get(f"/quiz/{token}/result")
    assert result.status_code == 200
    assert "You scored 100% — passed (pass mark 75%)." in text_of(result.get_data(as_text=True))

    [attempt] = attempts_of(app, learner.id)
    assert (attempt.score, attempt.passed) == (100.0, True)
    assert attempt.submitted_at is not None
    assert response_count(app) == 1 + 2 + 1 + 1  # one row per ticked choice or text answer

    module = client.get(MODULE).get_data(as_text=True)
    assert '<span class="badge badge-complete">Completed</span>' in module
    assert "You passed this quiz." in module
    assert client.get(NEXT).status_code == 200
    after = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "Your progress: <strong>1 of 2 modules complete</strong>" in after
    assert "You have passed this quiz already." in flashes(
        client.post(f"{MODULE}/quiz", follow_redirects=True).get_data(as_text=True)
    )
    assert len(attempts_of(app, learner.id)) == 1


def test_replaying_a_submission_changes_nothing(app, client, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    assert submit(client, token, correct_answers(quiz, drawn)).status_code == 302
    [first] = attempts_of(app, learner.id)
    rows = response_count(app)

    replay = client.post(f"/quiz/{token}", data=failing_answers(quiz, drawn), follow_redirects=True)
    assert replay.request.path == f"/quiz/{token}/result"
    page = replay.get_data(as_text=True)
    assert any("already" in f and "submitted" in f for f in flashes(page)), flashes(page)
    assert "You scored 100% — passed" in text_of(page)

    [again] = attempts_of(app, learner.id)
    assert (again.score, again.passed, again.answers) == (first.score, first.passed, first.answers)
    assert again.submitted_at == first.submitted_at
    assert response_count(app) == rows


def test_a_racing_second_submission_is_not_recorded(app, client, learner):
    """Two requests that both loaded the unsubmitted attempt: only the first claim counts."""
    token = start(client)
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        version = db.session.get(ModuleVersion, attempt.version_id)
        right = {"q1": [1], "q2": [0, 1], "q3": [0], "q4": "PHI"}
        assert services.submit_attempt(
            attempt, version, {"q1": [0], "q2": [2], "q3": [1], "q4": "x"}
        )
        assert attempt.score == 0.0
        assert not services.submit_attempt(attempt, version, right)
        db.session.commit()
    [stored] = attempts_of(app, learner.id)
    assert (stored.score, stored.passed) == (0.0, False)
    assert response_count(app) == 4


def test_failing_shows_attempts_left_and_the_cooldown(app, client, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    assert submit(client, token, failing_answers(quiz, drawn)).status_code == 302
    [attempt] = attempts_of(app, learner.id)
    assert (attempt.score, attempt.passed) == (50.0, False)
    # announced to the minute, rounded up: at that minute the server lets the attempt start
    opens = whole_minute_after(as_utc(attempt.submitted_at) + timedelta(minutes=10))
    clock = opens.strftime("%H:%M UTC")

    result = text_of(client.get(f"/quiz/{token}/result").get_data(as_text=True))
    assert "You scored 50% — not passed (pass mark 75%)." in result
    assert "2 attempts left." in result
    assert re.search(rf"Your next attempt opens in 1[01] minutes \(by {clock}\)\.", result), result

    refused = client.post(f"{MODULE}/quiz", follow_redirects=True)
    assert refused.request.path == MODULE
    page = refused.get_data(as_text=True)
    assert any(
        re.fullmatch(
            r"Your next attempt opens in 1[01] minutes\. Use the time to review the module\.", f
        )
        for f in flashes(page)
    ), flashes(page)
    assert "Take the quiz" not in page
    assert len(attempts_of(app, learner.id)) == 1

    backdate(app, token)
    assert "Take the quiz" in client.get(MODULE).get_data(as_text=True)
    second = start(client)
    assert second != token
    attempts = attempts_of(app, learner.id)
    assert [a.token for a in attempts] == [token, second]
    assert attempts[1].submitted_at is None


def test_three_failed_attempts_close_the_quiz(app, client, learner):
    tokens = []
    for _ in range(3):
        token = start(client)
        quiz, drawn = quiz_of_attempt(app, token)
        assert submit(client, token, failing_answers(quiz, drawn)).status_code == 302
        backdate(app, token)
        tokens.append(token)
    assert len(set(tokens)) == 3

    module = client.get(MODULE).get_data(as_text=True)
    assert "You have used every attempt." in module
    assert "Take the quiz" not in module
    assert "0 of 3 attempts left" in text_of(module)
    last = text_of(client.get(f"/quiz/{tokens[-1]}/result").get_data(as_text=True))
    assert "You have used all 3 attempts. Please contact your instructor." in last

    # no button on the page, but the server refuses a direct POST too
    refused = client.post(f"{MODULE}/quiz", follow_redirects=True)
    assert refused.request.path == MODULE
    assert any("used all 3 attempts" in f for f in flashes(refused.get_data(as_text=True)))
    attempts = attempts_of(app, learner.id)
    assert len(attempts) == 3
    assert all(a.submitted_at is not None for a in attempts)
    # and resubmitting an old attempt with the right answers does not rescue it
    quiz, drawn = quiz_of_attempt(app, tokens[-1])
    submit(client, tokens[-1], correct_answers(quiz, drawn))
    assert not any(a.passed for a in attempts_of(app, learner.id))


# --- the result page -------------------------------------------------------------------------


def test_failed_result_hides_the_key_but_shows_my_choice_feedback(app, client, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    q1 = quiz["questions"][0]
    mine = q1["choices"][wrong_choice(q1)]
    assert submit(client, token, failing_answers(quiz, drawn)).status_code == 302
    page = client.get(f"/quiz/{token}/result").get_data(as_text=True)

    assert mine["feedback_html"] in page  # what I chose, and why it was not right
    assert "Correct answer" not in page
    assert QUESTION_FEEDBACK not in page
    assert "Protected health information" not in page
    assert "Accepted answers" not in page
    for q in quiz["questions"]:
        assert q["feedback_html"] not in page, q["key"]
    # the correct choice of q1, which I did not pick, stays hidden with its feedback
    key = next(c for c in q1["choices"] if c["correct"])
    assert key["text_html"] not in page
    assert key["feedback_html"] not in page
    assert "The correct answers are shown once you pass." in page


def test_passed_result_reveals_the_key_and_question_feedback(app, client, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    assert submit(client, token, correct_answers(quiz, drawn)).status_code == 302
    page = client.get(f"/quiz/{token}/result").get_data(as_text=True)
    correct_choices = sum(c["correct"] for q in quiz["questions"] for c in q["choices"])
    assert page.count('<span class="tag tag-ok">Correct answer</span>') == correct_choices == 4
    assert QUESTION_FEEDBACK in page
    for q in quiz["questions"]:
        assert q["feedback_html"] in page, q["key"]
        for c in q["choices"]:
            assert c["feedback_html"] in page
    assert "Accepted answers: Protected health information, PHI" in page


def test_history_table_lists_submitted_attempts_with_scores(app, client, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    submit(client, token, failing_answers(quiz, drawn))
    backdate(app, token)
    second = start(client)
    page = client.get(MODULE).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td><a href=\"([^\"]+)\">[^<]+</a></td>(.*?)</tr>", page, re.S)
    assert [(href, text_of(rest)) for href, rest in rows] == [
        (f"/quiz/{token}/result", "50% Not passed")
    ]  # the open attempt is not listed

    submit(client, second, correct_answers(*quiz_of_attempt(app, second)))
    page = client.get(MODULE).get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td><a href=\"([^\"]+)\">[^<]+</a></td>(.*?)</tr>", page, re.S)
    assert [(href, text_of(rest)) for href, rest in rows] == [
        (f"/quiz/{second}/result", "100% Passed"),
        (f"/quiz/{token}/result", "50% Not passed"),
    ]


# --- whose attempt is it ---------------------------------------------------------------------


def test_another_learner_cannot_see_or_submit_my_attempt(app, client, login_as, learner):
    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    login_as("learner")
    assert client.get(f"/quiz/{token}").status_code == 404
    assert client.post(f"/quiz/{token}", data=correct_answers(quiz, drawn)).status_code == 404
    assert client.get(f"/quiz/{token}/result").status_code == 404
    [attempt] = attempts_of(app, learner.id)
    assert attempt.submitted_at is None
    assert response_count(app) == 0

    # and once I have submitted, my result stays mine
    login_as(user=learner)
    submit(client, token, correct_answers(quiz, drawn))
    login_as("learner")
    assert client.get(f"/quiz/{token}/result").status_code == 404
    assert client.get(f"/quiz/{token}").status_code == 404
    assert client.post(f"/quiz/{token}", data=correct_answers(quiz, drawn)).status_code == 404
    [attempt] = attempts_of(app, learner.id)
    assert (attempt.score, attempt.passed) == (100.0, True)


def test_unknown_token_is_404(client, learner):
    assert client.get("/quiz/not-a-token").status_code == 404
    assert client.get("/quiz/not-a-token/result").status_code == 404


# --- versions --------------------------------------------------------------------------------


def flip_first_question(quiz: str) -> str:
    flipped = quiz.replace("- [ ] Accept it to build rapport.", "- [x] Accept it to build rapport.")
    flipped = flipped.replace("- [x] Decline politely", "- [ ] Decline politely")
    assert flipped != quiz
    return flipped


def test_attempt_is_graded_against_the_version_it_was_drawn_from(
    app, client, login_as, write_course, course_root, learner
):
    token = start(client)
    old_quiz, drawn = quiz_of_attempt(app, token)
    old_answers = correct_answers(old_quiz, drawn)

    root = write(write_course, flip_first_question(QUIZ))
    sync(app, root)
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "01-privacy"))
        versions = db.session.scalars(
            select(ModuleVersion).where(ModuleVersion.module_id == module.id)
        ).all()
        assert len(versions) == 2
        current = next(v for v in versions if v.content_hash == module.current_hash)
        new_quiz, new_version_id = current.quiz, current.id
    [attempt] = attempts_of(app, learner.id)
    assert attempt.version_id != new_version_id
    # the old right answer is wrong in the new version: grading against it would fail
    as_new = grade(new_quiz, drawn, {"q1": [1], "q2": [0, 1], "q3": [0], "q4": "PHI"})
    assert as_new[2][0].correct is False

    assert submit(client, token, old_answers).status_code == 302
    [attempt] = attempts_of(app, learner.id)
    assert (attempt.score, attempt.passed) == (100.0, True)
    result = client.get(f"/quiz/{token}/result").get_data(as_text=True)
    assert "You scored 100% — passed" in text_of(result)
    assert '<span class="badge badge-complete">Completed</span>' in client.get(MODULE).get_data(
        as_text=True
    )

    # a new learner's attempt is drawn from the new version
    other = login_as("learner")
    client.post(f"{MODULE}/read")
    new_token = start(client)
    [fresh] = attempts_of(app, other.id)
    assert fresh.token == new_token
    assert fresh.version_id == new_version_id
    # the same choices (by their place in the old file), sent with this attempt's values
    old_choices_now = correct_answers(old_quiz, fresh.questions)
    assert submit(client, new_token, old_choices_now).status_code == 302
    [fresh] = attempts_of(app, other.id)
    assert (fresh.score, fresh.passed) == (75.0, True)  # q1 now wrong: 3 of 4


# --- queries -------------------------------------------------------------------------------


def bank(size: int) -> str:
    questions = "".join(
        f"\n### Question number {i} about privacy?\n- [x] Yes {i}\n  > Because {i}.\n"
        f"- [ ] No {i}\n  > Not {i}.\n- [ ] Maybe {i}\n"
        for i in range(1, size + 1)
    )
    return f"\n## Quiz\npass: 50%\nattempts: 0\n{questions}"


def test_take_and_result_pages_use_a_fixed_number_of_queries(
    app, client, login_as, write_course, count_queries
):
    sync(app, write_course(modules={"01-small": {"quiz": bank(4)}, "02-big": {"quiz": bank(12)}}))
    login_as("learner")
    client.get(f"/courses/{COURSE}")  # this process now holds the site settings
    counts = {}
    for slug, size in (("01-small", 4), ("02-big", 12)):
        module = f"/courses/{COURSE}/modules/{slug}"
        client.post(f"{module}/read")
        token = re.fullmatch(r"/quiz/([\w-]+)", client.post(f"{module}/quiz").headers["Location"])[
            1
        ]
        with count_queries() as take_q:
            page = client.get(f"/quiz/{token}")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count("<fieldset") == size
        form = correct_answers(*quiz_of_attempt(app, token))
        assert submit(client, token, form).status_code == 302
        with count_queries() as result_q:
            result = client.get(f"/quiz/{token}/result")
        assert result.status_code == 200
        assert "You scored 100% — passed" in text_of(result.get_data(as_text=True))
        counts[size] = (len(take_q), len(result_q))
    assert counts[4] == counts[12], counts
    take, result = counts[4]
    # the signed-in user, the attempt (its version, module and course are cached);
    # the result page adds the learner's attempts at the module for the standing, and for a
    # pass the learner's marks, to link the next module
    assert take <= 2, counts
    assert result <= 4, counts


def test_a_passed_quiz_links_to_the_next_module(app, client, login_as, write_course):
    sync(
        app,
        write_course(
            modules={"01-small": {"quiz": bank(4)}, "02-after": {"requires": ["01-small"]}}
        ),
    )
    login_as("learner")
    module = f"/courses/{COURSE}/modules/01-small"
    client.post(f"{module}/read")
    token = client.post(f"{module}/quiz").headers["Location"].rsplit("/", 1)[1]
    submit(client, token, correct_answers(*quiz_of_attempt(app, token)))
    page = client.get(f"/quiz/{token}/result").get_data(as_text=True)
    assert f'href="/courses/{COURSE}/modules/02-after">Next module: After</a>' in page
