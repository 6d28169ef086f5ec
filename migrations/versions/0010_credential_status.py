"""credential_status (issue 20.3: bitstring status list)

Each certificate gets, when its credential is first signed, a position in the issuer's
revocation status list; certificates signed before have none until then.

Revision ID: 0010
Revises: 0009

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_certificate_status_index"), ["status_index"]
        )


def downgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_certificate_status_index"), type_="unique")
        batch_op.drop_column("status_index")
