"""issue 17: per-enrolment progress summary, content version

Revision ID: 0015
Revises: 0014

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


# The summary's figures for every existing enrolment, as learning.summary computes them.
BACKFILL = """
INSERT INTO enrolment_summary (enrolment_id, modules_read, modules_complete, last_activity_at,
                               items_checked, plan_state, certificate_state)
SELECT e.id,
  (SELECT count(p.id) FROM module_progress p JOIN module m ON m.id = p.module_id
    WHERE p.user_id = e.user_id AND m.course_id = e.course_id AND m.retired = false
      AND (p.read_at IS NOT NULL OR p.completed_at IS NOT NULL)),
  (SELECT count(p.id) FROM module_progress p JOIN module m ON m.id = p.module_id
    WHERE p.user_id = e.user_id AND m.course_id = e.course_id AND m.retired = false
      AND p.completed_at IS NOT NULL),
  (SELECT max(coalesce(p.completed_at, p.read_at)) FROM module_progress p
    JOIN module m ON m.id = p.module_id
    WHERE p.user_id = e.user_id AND m.course_id = e.course_id),
  (SELECT count(c.id) FROM check_off c WHERE c.enrolment_id = e.id AND c.checked = true),
  coalesce((SELECT s.state FROM strategy_plan s WHERE s.enrolment_id = e.id), ''),
  coalesce((SELECT CASE WHEN c.revoked_at IS NULL THEN 'issued' ELSE 'revoked' END
    FROM certificate c WHERE c.enrolment_id = e.id), '')
FROM enrolment e
"""


def upgrade():
    op.create_table(
        "content_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_state")),
    )
    op.execute("INSERT INTO content_state (id, version) VALUES (1, 1)")
    op.create_table(
        "enrolment_summary",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("modules_read", sa.Integer(), nullable=False),
        sa.Column("modules_complete", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("items_checked", sa.Integer(), nullable=False),
        sa.Column("plan_state", sa.String(length=20), nullable=False),
        sa.Column("certificate_state", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_enrolment_summary_enrolment_id_enrolment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrolment_id", name=op.f("pk_enrolment_summary")),
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table("enrolment_summary")
    op.drop_table("content_state")
