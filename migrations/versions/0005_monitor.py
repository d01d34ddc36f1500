"""monitor store

直播监测预警: live sessions, their minutes and compliance hits, alerts with their history and acknowledgements,
silences. The unique keys make recording the same transitions, minutes, hits and sessions twice change nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNT = sa.Numeric(18, 2, asdecimal=True)
WHEN = sa.DateTime(timezone=True)


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        'monitor_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(32), nullable=False),
        sa.Column('session_id', sa.String(64), nullable=False),
        sa.Column('shop', sa.String(64), nullable=True),
        sa.Column('streamer', sa.String(64), nullable=True),
        sa.Column('region_code', sa.String(6), nullable=True),
        sa.Column('uscc', sa.String(18), nullable=True),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('started', WHEN, nullable=False),
        sa.Column('ended', WHEN, nullable=True),
        sa.Column('last_event', WHEN, nullable=False),
        sa.Column('online', sa.Integer(), nullable=False),
        sa.Column('peak_online', sa.Integer(), nullable=False),
        sa.Column('total_viewers', sa.Integer(), nullable=False),
        sa.Column('gmv', AMOUNT, nullable=False),
        sa.Column('orders', sa.Integer(), nullable=False),
        sa.Column('refunds', sa.Integer(), nullable=False),
        sa.Column('refunded', AMOUNT, nullable=False),
        sa.Column('chat_lines', sa.Integer(), nullable=False),
        sa.Column('likes', sa.Integer(), nullable=False),
        sa.Column('complaints', sa.Integer(), nullable=False),
        sa.Column('products', sa.Text(), nullable=False),
        sa.Column('updated_at', WHEN, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_sessions')),
        sa.UniqueConstraint('platform', 'session_id', name=op.f('uq_monitor_sessions_platform')),
    )
    _indexes('monitor_sessions', 'region_code', 'uscc', 'status', 'started')

    op.create_table(
        'monitor_minutes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(32), nullable=False),
        sa.Column('session_id', sa.String(64), nullable=False),
        sa.Column('minute', WHEN, nullable=False),
        sa.Column('online', sa.Integer(), nullable=False),
        sa.Column('peak_online', sa.Integer(), nullable=False),
        sa.Column('orders', sa.Integer(), nullable=False),
        sa.Column('gmv', AMOUNT, nullable=False),
        sa.Column('refunds', sa.Integer(), nullable=False),
        sa.Column('chat', sa.Integer(), nullable=False),
        sa.Column('likes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_minutes')),
        sa.UniqueConstraint('platform', 'session_id', 'minute', name=op.f('uq_monitor_minutes_platform')),
    )

    op.create_table(
        'monitor_hits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(32), nullable=False),
        sa.Column('session_id', sa.String(64), nullable=False),
        sa.Column('at', WHEN, nullable=False),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('rule', sa.String(64), nullable=False),
        sa.Column('category', sa.String(64), nullable=False),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('law', sa.Text(), nullable=False),
        sa.Column('text', sa.String(200), nullable=False),
        sa.Column('context', sa.Text(), nullable=False),
        sa.Column('suggestion', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_hits')),
        sa.UniqueConstraint('platform', 'session_id', 'at', 'source', 'rule', 'text',
                            name=op.f('uq_monitor_hits_platform')),
    )

    op.create_table(
        'monitor_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(32), nullable=False),
        sa.Column('rule', sa.String(40), nullable=False),
        sa.Column('state', sa.String(10), nullable=False),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('labels', sa.Text(), nullable=False),
        sa.Column('platform', sa.String(32), nullable=False),
        sa.Column('session_id', sa.String(64), nullable=False),
        sa.Column('region_code', sa.String(6), nullable=True),
        sa.Column('uscc', sa.String(18), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('muted', sa.String(300), nullable=True),
        sa.Column('started_at', WHEN, nullable=False),
        sa.Column('updated_at', WHEN, nullable=False),
        sa.Column('resolved_at', WHEN, nullable=True),
        sa.Column('assignee', sa.String(64), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('acknowledged_by', sa.String(64), nullable=True),
        sa.Column('acknowledged_at', WHEN, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_alerts')),
        sa.UniqueConstraint('fingerprint', 'started_at', name=op.f('uq_monitor_alerts_fingerprint')),
    )
    _indexes('monitor_alerts', 'fingerprint', 'rule', 'state', 'session_id', 'region_code', 'uscc', 'started_at')

    op.create_table(
        'monitor_alert_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(32), nullable=False),
        sa.Column('state', sa.String(10), nullable=False),
        sa.Column('at', WHEN, nullable=False),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('muted', sa.String(300), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['monitor_alerts.id'], ondelete='CASCADE',
                                name=op.f('fk_monitor_alert_history_alert_id_monitor_alerts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_alert_history')),
        sa.UniqueConstraint('fingerprint', 'state', 'at', name=op.f('uq_monitor_alert_history_fingerprint')),
    )
    _indexes('monitor_alert_history', 'alert_id')

    op.create_table(
        'monitor_alert_acks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('by', sa.String(64), nullable=False),
        sa.Column('assignee', sa.String(64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['monitor_alerts.id'], ondelete='CASCADE',
                                name=op.f('fk_monitor_alert_acks_alert_id_monitor_alerts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_alert_acks')),
    )
    _indexes('monitor_alert_acks', 'alert_id')

    op.create_table(
        'monitor_silences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matchers', sa.Text(), nullable=False),
        sa.Column('starts', WHEN, nullable=False),
        sa.Column('ends', WHEN, nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('region_code', sa.String(6), nullable=False),
        sa.Column('created_by', sa.String(64), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.Column('expired_by', sa.String(64), nullable=True),
        sa.Column('expired_at', WHEN, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monitor_silences')),
    )
    _indexes('monitor_silences', 'ends', 'region_code')


def downgrade() -> None:
    for table in ('monitor_silences', 'monitor_alert_acks', 'monitor_alert_history', 'monitor_alerts', 'monitor_hits',
                  'monitor_minutes', 'monitor_sessions'):
        op.drop_table(table)
