"""issue 17, dashboard pre-rendered cells: a stamp on each progress summary that changes
whenever the summary is recomputed, so a cached dashboard row knows when it is stale.

Revision ID: 0023
Revises: 0022

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enrolment_summary") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("enrolment_summary") as batch:
        batch.drop_column("version")
