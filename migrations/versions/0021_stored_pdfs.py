"""issue 17, stored certificate PDFs (reserved; filled in by the work that needs it)

Revision ID: 0021
Revises: 0020

"""

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
