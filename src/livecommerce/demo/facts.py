"""The fact generator in DuckDB SQL: live sessions, orders, parcels and the platforms' daily shop figures.

Every random draw is ``u(row, stream)``, a hash of the row number, a stream number and the seed, so a row is the
same whatever the chunking or the number of threads; each output is ordered by row number, so the files are
byte-identical for a seed. Amounts are integer fen until written as DECIMAL(18,2).
"""

from __future__ import annotations

import duckdb

from livecommerce.demo.scales import LAST_DAY
from livecommerce.demo.tables import LISTING_SLOTS, run

END = f"TIMESTAMP '{LAST_DAY.isoformat()} 23:59:59'"
SESSION_SLOTS_PER_SESSION = 4
MIX_MULTIPLIER, MIX_OFFSET = 48271, 982451653  # the multiplier is prime to 10, so i → mix10(i) is one-to-one
PROFILE_OF_LIVE = "flat"  # sessions follow the festivals, not a product's season


def create_random(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """The macro u(row, stream): a uniform number in [0, 1) from a hash of row, stream and seed."""
    run(con, f"CREATE OR REPLACE MACRO u(i, k) AS ((hash(i, k, {int(seed)}) >> 11)::DOUBLE / 9007199254740992.0)")
    run(con, f"CREATE OR REPLACE MACRO h(i, k) AS hash(i, k, {int(seed)} + 1)")
    # a bijection of 0..10^10-1: identifiers stay unique but do not read as a counter
    run(con, f"CREATE OR REPLACE MACRO mix10(i) AS (i * {MIX_MULTIPLIER} + {MIX_OFFSET}) % 10000000000")


def fen(expression: str, scale: int = 2) -> str:
    """SQL turning an integer amount in fen (or grams, scale 3) into an exact DECIMAL."""
    return f"(({expression}) * {10.0**-scale:.{scale}f})::DECIMAL({18 if scale == 2 else 12},{scale})"


def build_sessions(con: duckdb.DuckDBPyConnection, count: int, shop_slots: int) -> int:
    """Table sessions (直播场次) on live shops, days after the shop opened, evening-heavy; returns order slots.

    Built in steps (placed → dated → sessions): DuckDB 2.0 fails on the single many-join query."""
    run(
        con,
        f"""
    CREATE OR REPLACE TEMP TABLE sessions_placed AS
    WITH r AS (
      SELECT range AS j, u(range, 101) AS a, u(range, 102) AS b, u(range, 103) AS c, u(range, 104) AS d,
             u(range, 105) AS e, u(range, 106) AS f, u(range, 107) AS g, u(range, 108) AS q
      FROM range({count})
    )
    SELECT r.*, sh.shop_idx, sh.platform, sh.shop_id, sh.region, sh.first_pair, sh.n_pairs, sh.live_weight,
           ds0.first_slot, pf.n_slots
    FROM r JOIN session_shop_slots sl ON sl.slot = floor(r.a * {shop_slots})::BIGINT
    JOIN shops_t sh ON sh.shop_idx = sl.shop_idx
    JOIN day_start ds0 ON ds0.profile = '{PROFILE_OF_LIVE}' AND ds0.day = sh.opened_on
    JOIN profiles_t pf ON pf.profile = '{PROFILE_OF_LIVE}'
    """,
    )
    run(
        con,
        f"""
    CREATE OR REPLACE TEMP TABLE sessions_dated AS
    SELECT p.*, ds.day, hs.hour, dt.festival
    FROM sessions_placed p
    JOIN day_slots ds ON ds.profile = '{PROFILE_OF_LIVE}'
         AND ds.slot = p.first_slot + floor(p.b * (p.n_slots - p.first_slot))::BIGINT
    JOIN hour_slots hs ON hs.channel = 'live_start' AND hs.slot = floor(p.c * 1000)::BIGINT
    JOIN days_t dt ON dt.profile = '{PROFILE_OF_LIVE}' AND dt.day = ds.day
    """,
    )
    run(
        con,
        f"""
    CREATE OR REPLACE TABLE sessions AS
    SELECT j AS session_idx, shop_idx, platform, shop_id, region,
           '7' || lpad(mix10(j)::VARCHAR, 10, '0') || lpad((h(j, 109) % 100000000)::VARCHAR, 8, '0') AS session_id,
           pr.streamer_id,
           day::TIMESTAMP + to_seconds((hour * 3600 + floor(d * 3600))::BIGINT) AS started_at,
           least(started_at + to_seconds((45 * 60 + floor(315 * 60 * pow(f, 1.3)))::BIGINT), {END}) AS ended_at,
           (epoch(ended_at) - epoch(started_at))::BIGINT AS seconds,
           round(pow(live_weight, 0.4) * festival * 1e6
                 * exp(sqrt(-2 * ln(e + 1e-12)) * cos(2 * pi() * q)))::BIGINT AS weight
    FROM sessions_dated JOIN pairs_t pr ON pr.pair_idx = first_pair + floor(g * n_pairs)::BIGINT
    ORDER BY j
    """,
    )
    total = count * SESSION_SLOTS_PER_SESSION
    run(
        con,
        f"""
    CREATE OR REPLACE TABLE session_slots AS
    WITH w AS (SELECT session_idx, weight::HUGEINT AS weight, sum(weight::HUGEINT) OVER () AS total FROM sessions),
    c AS (SELECT session_idx, ((weight * {total} + total // 2) // total)::BIGINT AS n_slots FROM w),
    s AS (SELECT session_idx, n_slots,
                 sum(n_slots) OVER (ORDER BY session_idx ROWS UNBOUNDED PRECEDING) - n_slots AS start FROM c)
    SELECT session_idx, (start + unnest(range(n_slots)))::BIGINT AS slot FROM s WHERE n_slots > 0
    """,
    )
    run(con, "CREATE OR REPLACE TABLE session_totals (session_idx BIGINT, orders BIGINT, gmv_fen BIGINT)")
    return int(run(con, "SELECT count(*) FROM session_slots")[0][0])


ORDER_ID = """CASE platform
  WHEN 'douyin' THEN '69' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 91) % 10000000)::VARCHAR, 7, '0')
  WHEN 'kuaishou' THEN '23' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 91) % 10000)::VARCHAR, 4, '0')
  WHEN 'taobao' THEN '2' || lpad((h(i, 91) % 100000000)::VARCHAR, 8, '0') || lpad(mix10(i)::VARCHAR, 10, '0')
  WHEN 'tmall' THEN '2' || lpad((h(i, 91) % 100000000)::VARCHAR, 8, '0') || lpad(mix10(i)::VARCHAR, 10, '0')
  WHEN 'jd' THEN '3' || lpad(mix10(i)::VARCHAR, 10, '0') || (h(i, 91) % 10)::VARCHAR
  WHEN 'pdd' THEN strftime(paid_at, '%y%m%d') || '-' || lpad(mix10(i)::VARCHAR, 10, '0')
                  || lpad((h(i, 91) % 100000)::VARCHAR, 5, '0')
  WHEN 'wechat_channels' THEN '37' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 91) % 10000000)::VARCHAR, 7, '0')
  WHEN 'xiaohongshu' THEN 'P' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 91) % 100000000)::VARCHAR, 8, '0')
  ELSE 'OZ' || lpad(mix10(i)::VARCHAR, 10, '0') END"""


def build_order_chunk(con: duckdb.DuckDBPyConnection, first: int, last: int, p_live: float, shelf_slots: int, session_slots: int) -> None:
    """Temp table chunk: orders first..last-1 — live ones inside a session of their shop, the rest by shop size,
    each product's season and the channel's hour of day; quantities, coupons and refunds by hash.

    Built in steps (sold → listed → chunk): DuckDB 2.0 fails on the single many-join query."""
    live_cut = p_live if session_slots > 0 else 0.0
    run(
        con,
        f"""
    CREATE OR REPLACE TEMP TABLE chunk_sold AS
    WITH r AS (
      SELECT range AS i, u(range, 1) < {live_cut} AS is_live, u(range, 2) AS u_slot FROM range({first}, {last})
    )
    SELECT r.i, r.is_live, coalesce(se.shop_idx, ss.shop_idx) AS shop_idx, se.session_idx, se.session_id,
           se.streamer_id, se.started_at, se.seconds
    FROM r
    LEFT JOIN session_slots sl ON sl.slot = CASE WHEN r.is_live THEN floor(r.u_slot * {session_slots})::BIGINT END
    LEFT JOIN sessions se ON se.session_idx = sl.session_idx
    LEFT JOIN shelf_slots ss ON ss.slot = CASE WHEN NOT r.is_live THEN floor(r.u_slot * {shelf_slots})::BIGINT END
    """,
    )
    run(
        con,
        f"""
    CREATE OR REPLACE TEMP TABLE chunk_listed AS
    SELECT s.*, sh.platform, sh.shop_id, sh.uscc, sh.region, sh.opened_on,
           CASE WHEN s.is_live THEN 'live' WHEN u(s.i, 7) < sh.sv_share THEN 'short_video' ELSE 'shelf' END AS channel,
           l.product_id, l.title, l.category, l.local, l.physical, l.price_fen, l.grams, l.profile, l.cross_border,
           l.ship_from, l.refund_permille
    FROM chunk_sold s JOIN shops_t sh ON sh.shop_idx = s.shop_idx
    JOIN listing_slots ls ON ls.shop_idx = s.shop_idx AND ls.slot = floor(u(s.i, 3) * {LISTING_SLOTS})::BIGINT
    JOIN listings_t l ON l.listing_idx = ls.listing_idx
    """,
    )
    run(
        con,
        f"""
    CREATE OR REPLACE TEMP TABLE chunk AS
    WITH timed AS (
      SELECT c.*, CASE WHEN c.is_live THEN c.started_at + to_seconds(floor(u(c.i, 6) * c.seconds)::BIGINT)
                  ELSE ds.day::TIMESTAMP + to_seconds((hs.hour * 3600 + floor(u(c.i, 6) * 3600))::BIGINT) END AS paid_at
      FROM chunk_listed c
      LEFT JOIN profiles_t pf ON pf.profile = c.profile
      LEFT JOIN day_start d0 ON d0.profile = c.profile AND d0.day = c.opened_on
      LEFT JOIN day_slots ds ON ds.profile = c.profile AND ds.slot =
           CASE WHEN NOT c.is_live THEN d0.first_slot + floor(u(c.i, 4) * (pf.n_slots - d0.first_slot))::BIGINT END
      LEFT JOIN hour_slots hs ON hs.channel = c.channel AND hs.slot =
           CASE WHEN NOT c.is_live THEN floor(u(c.i, 5) * 1000)::BIGINT END
    ), priced AS (
      SELECT *, u(i, 8) AS u_qty, u(i, 9) AS u_disc,
             CASE WHEN u_qty < 0.82 THEN 1 WHEN u_qty < 0.94 THEN 2 WHEN u_qty < 0.98 THEN 3
                  ELSE 4 + floor(u(i, 13) * 3)::INTEGER END AS quantity,
             price_fen * CASE WHEN u_disc < 0.2 THEN 90 WHEN u_disc < 0.28 THEN 80 ELSE 100 END // 100 AS unit_fen
      FROM timed
    )
    SELECT i, platform, {ORDER_ID} AS order_id, shop_id, uscc, region, product_id, title, category, local, physical,
           channel, session_idx, session_id, streamer_id, paid_at, unit_fen * quantity AS paid_fen,
           CASE WHEN u(i, 10) * 1000 >= refund_permille THEN 0 WHEN u(i, 11) < 0.55 THEN unit_fen * quantity
                ELSE floor(unit_fen * quantity * (0.1 + 0.6 * u(i, 12)))::BIGINT END AS refund_fen,
           quantity, ship_from, cross_border, grams
    FROM priced ORDER BY i
    """,
    )
    run(con, "DROP TABLE chunk_sold")
    run(con, "DROP TABLE chunk_listed")
    run(
        con,
        """INSERT INTO session_totals SELECT session_idx, count(*), sum(paid_fen) FROM chunk
                WHERE session_idx IS NOT NULL GROUP BY ALL""",
    )


ORDER_COLUMNS = f"""platform, order_id, shop_id, uscc AS seller_uscc, region AS seller_region, product_id,
    title AS product_name, category, local AS local_product, physical, channel, session_id AS live_session_id,
    streamer_id, paid_at, {fen("paid_fen")} AS paid_amount, {fen("refund_fen")} AS refund_amount,
    quantity::INTEGER AS quantity, ship_from AS ship_from_region, cross_border"""


def orders_select(where: str = "TRUE") -> str:
    """The orders feed's columns from the chunk, in row order."""
    return f"SELECT {ORDER_COLUMNS} FROM chunk WHERE {where} ORDER BY i"


CARRIER = """CASE
  WHEN cross_border = 'export' THEN '中国邮政'
  WHEN platform = 'jd' AND a < 0.7 THEN '京东物流'
  WHEN (category IN ('aquatic', 'fruit_veg') OR paid_fen >= 100000) AND a < 0.6 THEN '顺丰'
  WHEN b < 0.24 THEN '中通' WHEN b < 0.42 THEN '韵达' WHEN b < 0.59 THEN '圆通' WHEN b < 0.69 THEN '申通'
  WHEN b < 0.83 THEN '中国邮政' WHEN b < 0.95 THEN '顺丰' ELSE '京东物流' END"""
WAYBILL = """CASE carrier
  WHEN '顺丰' THEN 'SF0' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 29) % 100)::VARCHAR, 2, '0')
  WHEN '中通' THEN '78' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 29) % 100)::VARCHAR, 2, '0')
  WHEN '圆通' THEN 'YT' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 29) % 1000)::VARCHAR, 3, '0')
  WHEN '韵达' THEN '43' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 29) % 1000)::VARCHAR, 3, '0')
  WHEN '申通' THEN '77' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 29) % 1000)::VARCHAR, 3, '0')
  WHEN '中国邮政' THEN '98' || lpad(mix10(i)::VARCHAR, 10, '0') || (h(i, 29) % 10)::VARCHAR
  ELSE 'JDV' || lpad(mix10(i)::VARCHAR, 10, '0') || lpad((h(i, 29) % 100)::VARCHAR, 2, '0') END"""


def parcels_select() -> str:
    """Parcels (快递包裹) of most physical orders of the chunk: not of orders cancelled before shipping, nor of
    those the courier collects after the demo's last day."""
    return f"""
    WITH p AS (
      SELECT *, u(i, 21) AS a, u(i, 22) AS b, u(i, 23) AS c, u(i, 24) AS t, u(i, 25) AS k FROM chunk
      WHERE physical AND ship_from IS NOT NULL
    ), c AS (
      SELECT *, {CARRIER} AS carrier, paid_at + to_seconds((3600 + floor(t * 47 * 3600))::BIGINT) AS shipped_at
      FROM p WHERE c < 0.93 AND NOT (refund_fen = paid_fen AND k < 0.5)
    )
    SELECT carrier, {WAYBILL} AS waybill_no, ship_from AS origin_region,
           CASE WHEN cross_border = 'export' THEN NULL ELSE d.code END AS dest_region, shipped_at, order_id, platform,
           {fen("grams * quantity + 150", 3)} AS weight_kg
    FROM c LEFT JOIN dest_slots d ON d.slot = floor(u(i, 26) * 1000)::BIGINT
    WHERE shipped_at <= {END}
    ORDER BY i"""


def sessions_select() -> str:
    """Live sessions with the orders and GMV of the order rows that name them; audiences follow from orders."""
    return f"""
    WITH t AS (SELECT session_idx, sum(orders) AS orders, sum(gmv_fen) AS gmv_fen FROM session_totals GROUP BY ALL),
    s AS (
      SELECT s.*, coalesce(t.orders, 0) AS n, coalesce(t.gmv_fen, 0) AS gmv_fen,
             (coalesce(t.orders, 0) * (40 + floor(160 * u(session_idx, 111))) + 30
              + floor(600 * u(session_idx, 112)))::BIGINT AS viewers
      FROM sessions s LEFT JOIN t USING (session_idx)
    )
    SELECT platform, session_id, streamer_id, shop_id, started_at, ended_at,
           greatest(1, floor(viewers * (0.03 + 0.12 * u(session_idx, 113))))::BIGINT AS peak_online,
           viewers AS total_viewers, {fen("gmv_fen")} AS gmv, n::BIGINT AS orders, region AS seller_region
    FROM s ORDER BY session_idx"""


REFUNDS = "gmv_fen * floor(refund_permille * 2 * u(k, 206))::BIGINT // 1000"
LIVE_GMV = """CASE WHEN live_day
  THEN gmv_fen * least(100, floor(live_fraction * 100 * (0.6 + 0.8 * u(k, 207))))::BIGINT // 100 ELSE 0 END"""


def shop_daily_select() -> str:
    """The platforms' T+1 figures (店铺日统计) of the shops that give no order detail, from their opening day."""
    return f"""
    WITH g AS (
      SELECT a.*, d.day, d.relative, a.shop_idx * 100000 + datediff('day', DATE '2000-01-01', d.day) AS k
      FROM agg_t a JOIN days_t d ON d.profile = a.profile AND d.day >= a.opened_on
    ), n AS (
      SELECT *, floor(per_day * relative * (0.4 + 1.2 * u(k, 201)) + u(k, 202))::BIGINT AS orders,
             u(k, 205) < live_fraction * 1.2 AS live_day
      FROM g WHERE u(k, 203) < activity
    ), m AS (
      SELECT *, orders * price_fen * (85 + floor(30 * u(k, 204))::BIGINT) // 100 AS gmv_fen FROM n WHERE orders > 0
    )
    SELECT platform, shop_id, day AS date, uscc AS seller_uscc, region AS seller_region, {fen("gmv_fen")} AS gmv,
           {fen(REFUNDS)} AS refunds, orders::INTEGER AS orders, {fen(LIVE_GMV)} AS live_gmv,
           CASE WHEN live_day THEN round(1 + 5 * u(k, 208), 1) ELSE 0 END::DECIMAL(4,1) AS live_hours,
           floor(4 * u(k, 209))::INTEGER AS short_videos, category, local AS local_product, physical
    FROM m ORDER BY shop_idx, day"""
