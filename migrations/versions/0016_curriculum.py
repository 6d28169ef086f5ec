"""issue 18

Revision ID: 0016
Revises:  immersion alternative per cohort, curriculum support:0015

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0016"
down_revision = " immersion alternative per cohort, curriculum support:0015"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
