"""quiz_opaque_choices (issue 20.1: opaque per-attempt choice values)

Revision ID: 0009
Revises: 0008

No schema change: each drawn question in `quiz_attempt.questions` gains `tokens`, the
random form value of each displayed choice. Attempts still open when this runs get their
tokens here, so their next page load sends tokens instead of source indices. Submitted
attempts keep their answers as source indices and grade exactly as before.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

attempt = sa.table(
    "quiz_attempt",
    sa.column("id", sa.Integer),
    sa.column("questions", sa.JSON),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
)


def _tokens(count: int) -> list[str]:
    tokens: list[str] = []
    while len(tokens) < count:
        token = "c" + secrets.token_hex(8)  # the same shape as quizzes.grading makes
        if token not in tokens:
            tokens.append(token)
    return tokens


def _rewrite(where, change) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(attempt.c.id, attempt.c.questions).where(where)).all()
    for row_id, questions in rows:
        new = [change(dict(item)) for item in questions or []]
        if new != questions:
            conn.execute(attempt.update().where(attempt.c.id == row_id).values(questions=new))


def _add_tokens(item: dict) -> dict:
    if "tokens" not in item:
        item["tokens"] = _tokens(len(item.get("order", [])))
    return item


def _drop_tokens(item: dict) -> dict:
    item.pop("tokens", None)
    return item


def upgrade():
    _rewrite(attempt.c.submitted_at.is_(None), _add_tokens)


def downgrade():
    # the older code reads source indices from the form: open attempts must not keep tokens
    _rewrite(attempt.c.submitted_at.is_(None), _drop_tokens)
