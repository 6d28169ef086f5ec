"""issue 13, certificate re-issue and append-only audit (reserved; filled in by the work that needs it)

Revision ID: 0022
Revises: 0021

"""

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
