"""auth_devices_throttle (issue 12: per-device sessions, per-address throttle)

Revision ID: 0011
Revises: 0010

The throttle needs no schema: its counts live in rate_limit_hit (or Redis).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "device_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_device_session_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_session_token_hash")),
    )
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pending_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_registration")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_registration_token_hash")),
    )
    with op.batch_alter_table("pending_registration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_registration_email"), ["email"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pending_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_registration_email"))
    op.drop_table("pending_registration")
    with op.batch_alter_table("device_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_session_user_id"))
    op.drop_table("device_session")
