"""policy runs

Runs of the policy package (政策兑现): a run, each entity's result with its explanation, each eligible award.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNT = sa.Numeric(18, 2, asdecimal=True)


def upgrade() -> None:
    op.create_table(
        'policy_runs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('year', sa.Integer(), nullable=False, index=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(64), nullable=False),
        sa.Column('source', sa.String(200), nullable=False),
        sa.Column('overrides', sa.Text(), nullable=False),
        sa.Column('parameters', sa.Text(), nullable=False),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.Column('budget', AMOUNT, nullable=True),
        sa.Column('method', sa.String(16), nullable=False),
        sa.Column('entities', sa.Integer(), nullable=False),
        sa.Column('entitled', AMOUNT, nullable=False),
        sa.Column('paid', AMOUNT, nullable=False),
        sa.Column('flagged', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
    )
    op.create_table(
        'policy_results',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('policy_runs.id', ondelete='CASCADE'), nullable=False, index=True),
        sa.Column('entity_id', sa.String(64), nullable=False),
        sa.Column('uscc', sa.String(18), nullable=True, index=True),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(32), nullable=False),
        sa.Column('region_code', sa.String(6), nullable=True, index=True),
        sa.Column('total', AMOUNT, nullable=False),
        sa.Column('review', sa.Boolean(), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
    )
    op.create_table(
        'policy_awards',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('policy_runs.id', ondelete='CASCADE'), nullable=False, index=True),
        sa.Column('entity_id', sa.String(64), nullable=False, index=True),
        sa.Column('uscc', sa.String(18), nullable=True, index=True),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(32), nullable=False, index=True),
        sa.Column('region_code', sa.String(6), nullable=True, index=True),
        sa.Column('city_code', sa.String(6), nullable=True, index=True),
        sa.Column('clause', sa.String(40), nullable=False, index=True),
        sa.Column('amount', AMOUNT, nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('allocated', AMOUNT, nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('review', sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('policy_awards')
    op.drop_table('policy_results')
    op.drop_table('policy_runs')
