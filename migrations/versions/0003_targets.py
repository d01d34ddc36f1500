"""targets

The table of policy targets (目标) and the seeds' targets, so that a fresh home has them. The rows are frozen here as
of this revision; stats/data/targets.yaml (read as stats/targets_catalogue.py SEED_TARGETS) holds the same list and
tests/stats/test_targets.py checks that a migrated home matches it (a later change of a seed target is a new
migration).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00.000000
"""
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

D000, C000 = '000_f467ed5c45ed642d.txt', '附件1 一、工作目标'
D002, C002 = '002_b2d67e67f9f1a824.txt', '二、发展目标'
D003, C003 = '003_50153b192cdc70d5.txt', '一、总体要求'
PLACES = {  # document → (region, period_start, due_date)
    D000: ('230000', date(2025, 1, 1), date(2027, 12, 31)),
    D002: ('230000', date(2020, 1, 1), date(2022, 12, 31)),
    D003: ('231100', date(2021, 1, 1), date(2022, 12, 31)),
}
CLAUSES = {D000: C000, D002: C002, D003: C003}

Q000_GROWTH = '2025到2027年,全省电商直播产业全面高质量发展,网络零售额年均增长突破100亿元,年均增速超过全国平均水平。'
Q000_2027 = ('到2027年底,全省网络零售额突破1200亿元;电商直播企业数量突破2.2万家(年度网络零售额亿元级企业数量突破40家,'
             '千万元级企业数量突破400家)。')
Q000_BASES = ('全省打造具有典型示范领跑效应的电商直播示范基地(园区)5家;建立健全“龙江电商好物”标准体系和全流程服务;'
              '建立完善省市县乡村电商直播物流配送体系;建立壮大电商直播全产业链人才梯队。')
Q002_BUILD = ('到2022年底，力争建成一批直播电商共享基地（1个大型、5个中型、20个区域直播电商共享基地），培育100个骨干企业、'
              '1000个网红品牌，培训10万名直播销售和运营人员，将我省打造成为全国知名“直播电商之都”。')
Q002_SALES = '实现直播带货销售100亿元，集聚生态企业1000家，带动产值1000亿元。'
Q003 = ('到 2022 年年末，力争建成大中型直播电商共享基地 2 个，区域性直播电商共享基地 5 个，培育骨干企业超过 10 个、'
        '网红品牌超过 100 个，直播销售和运营人员培训超过 1 万人，实现直播带货销售 10 亿元，集聚生态、外贸企业 100 家，'
        '带动产值100 亿元，将我市打造成为具有跨境和农业特色的直播电商共享基地。')
BREAK = '突破 is read as 超过: the figure itself does not meet the target.'
OVER = '超过: the figure itself does not meet the target.'
BARE = 'A bare figure (力争/实现/培育 N) is met by reaching it: at_least.'
YEAR = "Read as the 2022 calendar year's total."

# code, title, indicator, target_value, unit, comparison, document, quote, note
SEEDS = [
    ('p2027-online-retail', '到2027年底全省网络零售额突破1200亿元', 'online_retail', '120000000000', '元', 'over',
     D000, Q000_2027, BREAK + " The 2027 calendar year's total."),
    ('p2027-online-retail-growth', '2025到2027年网络零售额年均增长突破100亿元', 'online_retail_growth', '10000000000',
     '元', 'over', D000, Q000_GROWTH,
     BREAK + " Checked each year: the year's total minus the year before's. 年均增速超过全国平均水平 has no figure "
     "of its own (it needs the national rate) and is not seeded."),
    ('p2027-live-entities', '到2027年底电商直播企业数量突破2.2万家', 'live_entities', '22000', '家', 'over',
     D000, Q000_2027, BREAK),
    ('p2027-sellers-over-100m', '到2027年底年度网络零售额亿元级企业突破40家', 'sellers_over_100m', '40', '家', 'over',
     D000, Q000_2027, BREAK + ' 亿元级: yearly online retail of 1亿元 or more.'),
    ('p2027-sellers-over-10m', '到2027年底千万元级企业突破400家', 'sellers_over_10m', '400', '家', 'over',
     D000, Q000_2027, BREAK + ' 千万元级: yearly online retail of 1000万元 or more.'),
    ('p2027-demonstration-bases', '到2027年打造电商直播示范基地(园区)5家', 'demonstration_bases', '5', '家', 'at_least',
     D000, Q000_BASES, BARE),
    ('p2022-shared-bases-large', '到2022年底建成大型直播电商共享基地1个', 'shared_bases_large', '1', '个', 'at_least',
     D002, Q002_BUILD, BARE),
    ('p2022-shared-bases-medium', '到2022年底建成中型直播电商共享基地5个', 'shared_bases_medium', '5', '个', 'at_least',
     D002, Q002_BUILD, BARE),
    ('p2022-shared-bases-regional', '到2022年底建成区域直播电商共享基地20个', 'shared_bases_regional', '20', '个',
     'at_least', D002, Q002_BUILD, BARE),
    ('p2022-backbone-enterprises', '到2022年底培育骨干企业100个', 'backbone_enterprises', '100', '个', 'at_least',
     D002, Q002_BUILD, BARE),
    ('p2022-influencer-brands', '到2022年底培育网红品牌1000个', 'influencer_brands', '1000', '个', 'at_least',
     D002, Q002_BUILD, BARE),
    ('p2022-trained-people', '到2022年底培训直播销售和运营人员10万名', 'trained_people', '100000', '人', 'at_least',
     D002, Q002_BUILD, BARE + ' Counted from 2020 on.'),
    ('p2022-live-online-retail', '2022年实现直播带货销售100亿元', 'live_online_retail', '10000000000', '元', 'at_least',
     D002, Q002_SALES, BARE + ' ' + YEAR),
    ('p2022-ecosystem-enterprises', '到2022年底集聚生态企业1000家', 'ecosystem_enterprises', '1000', '家', 'at_least',
     D002, Q002_SALES, BARE),
    ('p2022-driven-output', '2022年带动产值1000亿元', 'driven_output', '100000000000', '元', 'at_least',
     D002, Q002_SALES, BARE + ' ' + YEAR),
    ('heihe2022-shared-bases-large-medium', '黑河市到2022年末建成大中型直播电商共享基地2个', 'shared_bases_large_medium',
     '2', '个', 'at_least', D003, Q003, BARE),
    ('heihe2022-shared-bases-regional', '黑河市到2022年末建成区域性直播电商共享基地5个', 'shared_bases_regional', '5', '个',
     'at_least', D003, Q003, BARE),
    ('heihe2022-backbone-enterprises', '黑河市到2022年末培育骨干企业超过10个', 'backbone_enterprises', '10', '个', 'over',
     D003, Q003, OVER),
    ('heihe2022-influencer-brands', '黑河市到2022年末培育网红品牌超过100个', 'influencer_brands', '100', '个', 'over',
     D003, Q003, OVER),
    ('heihe2022-trained-people', '黑河市到2022年末直播销售和运营人员培训超过1万人', 'trained_people', '10000', '人',
     'over', D003, Q003, OVER + ' Counted from 2021 on.'),
    ('heihe2022-live-online-retail', '黑河市2022年实现直播带货销售10亿元', 'live_online_retail', '1000000000', '元',
     'at_least', D003, Q003, BARE + ' ' + YEAR),
    ('heihe2022-ecosystem-trade-enterprises', '黑河市到2022年末集聚生态、外贸企业100家', 'ecosystem_trade_enterprises',
     '100', '家', 'at_least', D003, Q003, BARE),
    ('heihe2022-driven-output', '黑河市2022年带动产值100亿元', 'driven_output', '10000000000', '元', 'at_least',
     D003, Q003, BARE + ' ' + YEAR),
]


def upgrade() -> None:
    targets = op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('comparison', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('document', sa.String(length=100), nullable=False),
    sa.Column('clause', sa.String(length=100), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    sa.UniqueConstraint('code', name=op.f('uq_targets_code'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_indicator'), ['indicator'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_region_code'), ['region_code'], unique=False)

    stamp = datetime.now(UTC)
    rows = []
    for code, title, indicator, value, unit, comparison, document, quote, note in SEEDS:
        region, start, due = PLACES[document]
        rows.append({'code': code, 'title': title, 'indicator': indicator, 'region_code': region,
                     'target_value': Decimal(value), 'unit': unit, 'comparison': comparison, 'period_start': start,
                     'due_date': due, 'document': document, 'clause': CLAUSES[document], 'quote': quote,
                     'note': note, 'updated_at': stamp, 'updated_by': 'migration 0003'})
    op.bulk_insert(targets, rows)


def downgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_region_code'))
        batch_op.drop_index(batch_op.f('ix_targets_indicator'))

    op.drop_table('targets')
