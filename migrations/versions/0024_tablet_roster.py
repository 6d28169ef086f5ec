"""issue 14, tablet roster (reserved; filled in by the work that needs it)

Revision ID: 0024
Revises: 0023

"""

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
