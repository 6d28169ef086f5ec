"""issue 13 part 2: overrides, self-service, cohort codes, data rights

Revision ID: 0017
Revises: 0016

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "quiz_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_quiz_override_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_quiz_override_module_id_module"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["user.id"],
            name=op.f("fk_quiz_override_granted_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_override")),
    )
    op.create_index("ix_quiz_override_user_module", "quiz_override", ["user_id", "module_id"])
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("timezone", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("reminder_mail", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("cohort") as batch:
        batch.add_column(sa.Column("join_code", sa.String(length=7), nullable=True))
        batch.create_unique_constraint(batch.f("uq_cohort_join_code"), ["join_code"])


def downgrade():
    with op.batch_alter_table("cohort") as batch:
        batch.drop_constraint("uq_cohort_join_code", type_="unique")
        batch.drop_column("join_code")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("reminder_mail")
        batch.drop_column("timezone")
    op.drop_index("ix_quiz_override_user_module", table_name="quiz_override")
    op.drop_table("quiz_override")
