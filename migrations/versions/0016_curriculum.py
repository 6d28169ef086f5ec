"""issue 18: immersion alternative per cohort, curriculum support

Revision ID: 0016
Revises: 0015

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cohort") as batch:
        batch.add_column(
            sa.Column("posting_mode", sa.String(20), nullable=False, server_default="sandbox")
        )


def downgrade():
    with op.batch_alter_table("cohort") as batch:
        batch.drop_column("posting_mode")
