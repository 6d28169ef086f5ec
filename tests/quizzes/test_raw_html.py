"""Issue 12.1: quiz pages never fall back to the author's raw text when sanitising emptied it.

The loader now refuses such text, so the stored versions below are planted the way a sync
stored them before the fix: `text_html` empty, `text` holding a <meta> refresh.
"""

import copy
import re

from sqlalchemy import select

from smresidency.catalog.models import Module, ModuleVersion
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.quizzes.grading import value_of
from smresidency.quizzes.models import QuizAttempt

META = '<meta http-equiv="refresh" content="0;url=/healthz?navigated-away">'
QUIZ = """
## Quiz
pass: 50%
show_answers: after_last_attempt
attempts: 1

### Which page do you stay on?
- [x] This one
  > Right.
- [ ] Another one
  > No.
"""


def plant_raw_html(app, module_slug: str) -> None:
    """Every text of the first question as an old sync stored a stripped <meta>: no HTML."""
    with app.app_context():
        version = db.session.scalar(
            select(ModuleVersion)
            .join(Module, Module.id == ModuleVersion.module_id)
            .where(Module.slug == module_slug)
        )
        quiz = copy.deepcopy(version.quiz)
        question = quiz["questions"][0]
        question["stem"], question["stem_html"] = META, ""
        question["feedback"], question["feedback_html"] = META, ""
        for choice in question["choices"]:
            choice["text"], choice["text_html"] = META, ""
            choice["feedback"], choice["feedback_html"] = META, ""
        version.quiz = quiz
        db.session.commit()


def course_with_planted_quiz(app, write_course) -> str:
    root = write_course(modules={"01-stay": {"title": "Stay here", "quiz": QUIZ}})
    with app.app_context():
        sync_content(root)
        db.session.commit()
    plant_raw_html(app, "01-stay")
    return "/courses/test-course/modules/01-stay"


def test_take_and_result_pages_show_no_raw_author_text(app, client, login_as, write_course):
    module = course_with_planted_quiz(app, write_course)
    login_as("learner")
    client.post(f"{module}/read")
    token = client.post(f"{module}/quiz").headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/quiz/{token}").get_data(as_text=True)
    assert "<meta http-equiv" not in page and "navigated-away" not in page
    assert len(re.findall(r'<input type="radio"', page)) == 2  # the question is still there

    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        drawn = attempt.questions[0]
    client.post(f"/quiz/{token}", data={"answer-q1": value_of(drawn, 1)})
    result = client.get(f"/quiz/{token}/result").get_data(as_text=True)
    assert "Quiz result" in result and "Correct answer" in result  # every choice is revealed
    assert "<meta http-equiv" not in result and "navigated-away" not in result
