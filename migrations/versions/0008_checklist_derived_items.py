"""checklist_derived_items (issue 19: derived checklist items, attendance reasons, check-in window)

Revision ID: 0008
Revises: 0007

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("check_off", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("check_off", schema=None) as batch_op:
        batch_op.drop_column("reason")
