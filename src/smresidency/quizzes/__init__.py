"""Quiz attempts: drawn and shuffled per attempt, graded on the server, analysed for instructors."""

from flask import Blueprint

bp = Blueprint("quizzes", __name__)

from smresidency.quizzes import views  # noqa: E402, F401
