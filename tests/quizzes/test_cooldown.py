"""The cooldown opens at the minute it announces, and says how long in words."""

from datetime import UTC, datetime

import pytest

from smresidency.quizzes.services import in_words, standing, whole_minute_after
from tests.quizzes import test_taking as taking
from tests.quizzes.test_taking import attempts_of, failing_answers, quiz_of_attempt, start, submit

# fixtures shared with the quiz-taking tests
course_root, learner = taking.course_root, taking.learner

NOW = datetime(2026, 12, 5, 10, 25, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 5, 10, 35, 9, tzinfo=UTC), datetime(2026, 12, 5, 10, 36, tzinfo=UTC)),
        (datetime(2026, 12, 5, 10, 35, 0, tzinfo=UTC), datetime(2026, 12, 5, 10, 35, tzinfo=UTC)),
        (datetime(2026, 12, 5, 23, 59, 1, tzinfo=UTC), datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),
    ],
)
def test_the_announced_minute_is_never_before_the_real_opening(moment, expected):
    assert whole_minute_after(moment) == expected


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0.2, "in 1 minute"),
        (9, "in 9 minutes"),
        (9.5, "in 10 minutes"),
        (60, "in 1 h"),
        (65, "in 1 h 5 min"),
    ],
)
def test_in_words(minutes, words):
    from datetime import timedelta

    assert in_words(NOW + timedelta(minutes=minutes), now=NOW) == words


def test_the_page_announces_a_minute_by_which_the_quiz_is_open(app, client, learner):
    """Seen: "opens at 10:35" and still closed at 10:35:09. The clock time is now rounded up,
    and the server opens at the exact moment, which is never later."""
    from datetime import timedelta

    from smresidency.db import utcnow

    token = start(client)
    quiz, drawn = quiz_of_attempt(app, token)
    submit(client, token, failing_answers(quiz, drawn))
    [attempt] = attempts_of(app, learner.id)
    cooldown = timedelta(seconds=quiz["cooldown_seconds"])
    attempt.submitted_at = utcnow() - cooldown + timedelta(seconds=20)
    now_standing = standing([attempt], quiz)
    announced, real = now_standing.announced_at, now_standing.next_open_at
    assert announced.second == 0 and real <= announced < real + timedelta(minutes=1)
    # at the announced minute (or any moment after the real one) the quiz is open
    attempt.submitted_at -= timedelta(seconds=21)
    assert standing([attempt], quiz).next_open_at is None
