"""checklist_derived_items (issue 19: derived checklist items, attendance reasons, check-in window)

Revision ID: 0008
Revises: 0007

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
