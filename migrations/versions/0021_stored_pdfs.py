"""issue 17, stored certificate PDFs: one per certificate and paper size, made by a job

Revision ID: 0021
Revises: 0020

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_pdf",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("paper", sa.String(length=10), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_stored_pdf_certificate_id_certificate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_pdf")),
        sa.UniqueConstraint(
            "certificate_id", "paper", name=op.f("uq_stored_pdf_certificate_id_paper")
        ),
    )


def downgrade():
    op.drop_table("stored_pdf")
