"""question count beside the quiz, so pages need not load the quiz JSON

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:12:19.300893

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("question_count", sa.Integer(), nullable=False, server_default="0")
        )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, quiz FROM module_version WHERE quiz IS NOT NULL"))
    for row_id, quiz in rows.fetchall():
        data = json.loads(quiz) if isinstance(quiz, str) else quiz
        count = len((data or {}).get("questions") or [])
        conn.execute(
            sa.text("UPDATE module_version SET question_count = :n WHERE id = :id"),
            {"n": count, "id": row_id},
        )


def downgrade():
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.drop_column("question_count")
