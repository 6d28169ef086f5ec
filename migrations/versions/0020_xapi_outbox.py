"""issue 16: the xAPI statement outbox, and the CE/CPD record on certificates and settings

Revision ID: 0020
Revises: 0019

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "xapi_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_outbox")),
        sa.UniqueConstraint(
            "statement_id", "endpoint", name=op.f("uq_xapi_outbox_statement_id_endpoint")
        ),
    )
    op.create_index(op.f("ix_xapi_outbox_status"), "xapi_outbox", ["status"])
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("contact_hours", sa.Float(), nullable=True))
        batch.add_column(sa.Column("accreditation", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("provider_id", sa.String(length=100), nullable=False, server_default="")
        )
    # certificates issued before: their contact hours were the course's hours they carry
    op.execute("UPDATE certificate SET contact_hours = hours")
    with op.batch_alter_table("site_settings") as batch:
        batch.add_column(
            sa.Column("ce_contact_hours", sa.String(length=12), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("ce_accreditation", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("ce_provider_id", sa.String(length=100), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("site_settings") as batch:
        batch.drop_column("ce_provider_id")
        batch.drop_column("ce_accreditation")
        batch.drop_column("ce_contact_hours")
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("provider_id")
        batch.drop_column("accreditation")
        batch.drop_column("contact_hours")
    op.drop_index(op.f("ix_xapi_outbox_status"), table_name="xapi_outbox")
    op.drop_table("xapi_outbox")
