"""issue 13, certificate re-issue and append-only audit

Certificates gain an edition and a pointer to the certificate that replaced them: a name
correction revokes the old one and issues the next edition of the same enrolment's
certificate. "One certificate per enrolment" becomes "one per enrolment and edition", so two
first issues at once still collide, and so do two re-issues of the same certificate.

The audit log becomes append-only in the database itself: triggers refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL) on audit_entry, whoever connects. Accounts are never deleted
(erasure anonymises in place), so the log's ON DELETE SET NULL never has to fire.

A registration through a cohort invitation keeps what the joiner chose (its `invitation`), so
the account is made and enrolled only when the mailed link is opened, as on /register.

On SQLite the certificate table is rebuilt to change its constraints. Dropping the old table
would cascade to the kept PDFs (stored_pdf, ON DELETE CASCADE), so they are copied aside and
put back; other references are checked at commit rather than during the rebuild.

Revision ID: 0022
Revises: 0021

"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

MESSAGE = "audit entries are append-only"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


@contextmanager
def _certificate_rebuilt():
    """Keep what references certificates through SQLite's rebuild of the table."""
    if not _sqlite():
        yield
        return
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("CREATE TEMP TABLE keep_stored_pdf AS SELECT * FROM stored_pdf")
    yield
    op.execute("DELETE FROM stored_pdf")
    op.execute("INSERT INTO stored_pdf SELECT * FROM keep_stored_pdf")
    op.execute("DROP TABLE keep_stored_pdf")


def upgrade():
    with _certificate_rebuilt(), op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("edition", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch.drop_constraint("uq_certificate_enrolment_id", type_="unique")
        batch.drop_constraint("uq_certificate_user_id_course_id", type_="unique")
        batch.create_unique_constraint(
            "uq_certificate_user_id_course_id_edition", ["user_id", "course_id", "edition"]
        )
        batch.create_unique_constraint(
            "uq_certificate_enrolment_id_edition", ["enrolment_id", "edition"]
        )
        batch.create_unique_constraint("uq_certificate_replaced_by_id", ["replaced_by_id"])
        batch.create_foreign_key(
            "fk_certificate_replaced_by_id_certificate", "certificate", ["replaced_by_id"], ["id"]
        )
        batch.create_index("ix_certificate_enrolment_id", ["enrolment_id"])
    for statement in SQLITE_TRIGGERS if _sqlite() else POSTGRES_TRIGGERS:
        op.execute(statement)
    with op.batch_alter_table("pending_registration") as batch:
        batch.add_column(sa.Column("invitation", sa.JSON(), nullable=True))


def downgrade():
    """Refuses (a unique constraint fails) while re-issued certificates exist."""
    with op.batch_alter_table("pending_registration") as batch:
        batch.drop_column("invitation")
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    with _certificate_rebuilt(), op.batch_alter_table("certificate") as batch:
        batch.drop_index("ix_certificate_enrolment_id")
        batch.drop_constraint("fk_certificate_replaced_by_id_certificate", type_="foreignkey")
        batch.drop_constraint("uq_certificate_replaced_by_id", type_="unique")
        batch.drop_constraint("uq_certificate_enrolment_id_edition", type_="unique")
        batch.drop_constraint("uq_certificate_user_id_course_id_edition", type_="unique")
        batch.create_unique_constraint("uq_certificate_user_id_course_id", ["user_id", "course_id"])
        batch.create_unique_constraint("uq_certificate_enrolment_id", ["enrolment_id"])
        batch.drop_column("replaced_by_id")
        batch.drop_column("edition")
