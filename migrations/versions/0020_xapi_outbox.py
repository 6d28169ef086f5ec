"""issue 16, xAPI statement outbox (reserved; filled in by the work that needs it)

Revision ID: 0020
Revises: 0019

"""

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
