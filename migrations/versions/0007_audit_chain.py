"""audit chain

The audit log as a hash chain that the application cannot alter (issue 13): prev_hash and hash on every line (the
lines there already are hashed in id order here), the one-row chain head, an index on the target, and triggers that
refuse UPDATE and DELETE of audit lines (and TRUNCATE on PostgreSQL) and any move of the head backwards.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
REFUSED = "audit_log is append-only: % refused (审计日志只能追加，不能修改或删除)"

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
    f"SELECT RAISE(ABORT, '{REFUSED.replace('%', 'UPDATE')}'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
    f"SELECT RAISE(ABORT, '{REFUSED.replace('%', 'DELETE')}'); END",
    "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head BEGIN "
    "SELECT RAISE(ABORT, 'audit_chain_head cannot be deleted (审计链头不能删除)'); END",
    "CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head WHEN NEW.last_id < OLD.last_id "
    "BEGIN SELECT RAISE(ABORT, 'audit_chain_head only moves forward (审计链头只能前进)'); END",
)

POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"RAISE EXCEPTION '{REFUSED}', TG_OP; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    "CREATE FUNCTION audit_chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP <> 'UPDATE' OR NEW.last_id < OLD.last_id THEN "
    "RAISE EXCEPTION 'audit_chain_head only moves forward: % refused (审计链头只能前进)', TG_OP; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER audit_chain_head_no_change BEFORE UPDATE OR DELETE ON audit_chain_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward()",
    "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward()",
)

DROP_SQLITE = ("DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete",
               "DROP TRIGGER IF EXISTS audit_chain_head_no_delete", "DROP TRIGGER IF EXISTS audit_chain_head_forward")
DROP_POSTGRES = ("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
                 "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
                 "DROP TRIGGER IF EXISTS audit_chain_head_no_change ON audit_chain_head",
                 "DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head",
                 "DROP FUNCTION IF EXISTS audit_log_append_only()", "DROP FUNCTION IF EXISTS audit_chain_head_forward()")

LINES = sa.table(
    "audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("target_type", sa.String),
    sa.column("target_id", sa.String), sa.column("before", sa.Text), sa.column("after", sa.Text),
    sa.column("outcome", sa.String), sa.column("client", sa.String), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _hash_existing(connection: sa.Connection) -> tuple[int, str]:
    """Chain the lines already there, in id order, a batch at a time; the (id, hash) of the last one."""
    from livecommerce.accounts.audit import GENESIS, line_hash

    last_id, last_hash = 0, GENESIS
    update = sa.update(LINES).where(LINES.c.id == sa.bindparam("line_id")).values(
        prev_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    while True:
        rows = connection.execute(sa.select(LINES).where(LINES.c.id > last_id).order_by(LINES.c.id).limit(BATCH)).all()
        if not rows:
            return last_id, last_hash
        changes = []
        for row in rows:
            digest = line_hash(row, last_hash)  # a Row has the fields of an AuditEntry
            changes.append({"line_id": row.id, "p": last_hash, "h": digest})
            last_id, last_hash = row.id, digest
        connection.execute(update, changes)


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_audit_log_target", ["target_type", "target_id"], unique=False)
    op.create_table("audit_chain_head",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("last_id", sa.Integer(), nullable=False),
                    sa.Column("last_hash", sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")))
    connection = op.get_bind()
    last_id, last_hash = _hash_existing(connection)
    connection.execute(sa.text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, :i, :h)"),
                       {"i": last_id, "h": last_hash})
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    for statement in POSTGRES_TRIGGERS if connection.dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_POSTGRES if op.get_bind().dialect.name == "postgresql" else DROP_SQLITE:
        op.execute(statement)
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_target")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
