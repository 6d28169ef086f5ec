"""issue 14: the immersion-day calendar invite's SEQUENCE, bumped when the day changes

Revision ID: 0019
Revises: 0018

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cohort") as batch:
        batch.add_column(
            sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("cohort") as batch:
        batch.drop_column("calendar_sequence")
