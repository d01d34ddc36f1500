"""The feeds (数据接口), exactly as DESIGN.md "Feeds" defines them: canonical English columns, Chinese header
aliases, types, required fields, defaults and natural keys. The warehouse's fact tables are made from these
declarations (warehouse/schema.py), and so are ingest's validation rules (ingest/rules.py).

Column types:
  text      free text (trimmed); ``max_length`` bounds it
  code:X    a code of reference.codes list X (code or Chinese name accepted)
  region    a 6-digit GB/T 2260 code inside Heilongjiang (reference.regions)
  bool      true/false, 1/0, 是/否, Y/N
  money     yuan, ≥ 0, at most two decimals → DECIMAL(18,2)
  int       integer ≥ 0
  decimal   number ≥ 0 with up to three decimals (weights, hours)
  timestamp with or without offset; a naive time is Asia/Shanghai; stored as Shanghai wall time
  date      YYYY-MM-DD (also YYYY/MM/DD)
  uscc      统一社会信用代码, check digit verified (same rule as stdnum.cn.uscc)
  code6     any 6-digit GB/T 2260 code (destinations may lie outside the province)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a feed."""

    name: str
    zh: str
    type: str
    required: bool = True
    default: str | None = None
    aliases: tuple[str, ...] = ()
    max_length: int = 200

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names this column: the canonical name, the Chinese one and aliases."""
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class Feed:
    """A feed: its name, Chinese name, columns, natural key, and where accepted rows go."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    target: str  # "warehouse" (DuckDB fact table of the same name) or "registry" (entities.service)
    checks: tuple[tuple[str, str, str], ...] = field(default=())  # (column, SQL condition on typed row, rule text)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


def _c(name: str, zh: str, type_: str, required: bool = True, default: str | None = None, *aliases: str, max_length: int = 200) -> Column:
    return Column(name, zh, type_, required, default, tuple(aliases), max_length)


SELLER = (
    _c("seller_uscc", "统一社会信用代码", "uscc", False, None, "卖家统一社会信用代码", "信用代码"),
    _c("seller_region", "卖家所在地区代码", "region", True, None, "卖家地区代码", "地区代码", "所在地区代码"),
)

ORDERS = Feed(
    "orders",
    "平台订单明细",
    (
        _c("platform", "平台", "code:platform"),
        _c("order_id", "订单号", "text", True, None, "订单编号", max_length=64),
        _c("shop_id", "店铺ID", "text", True, None, "店铺编号", max_length=64),
        *SELLER,
        _c("product_id", "商品ID", "text", True, None, "商品编号", max_length=64),
        _c("product_name", "商品名称", "text", True, None, "商品标题"),
        _c("category", "品类", "code:category", True, None, "商品品类"),
        _c("local_product", "是否地产品", "bool", True, None, "地产品"),
        _c("physical", "是否实物", "bool", True, None, "实物"),
        _c("channel", "渠道", "code:channel", True, None, "销售渠道"),
        _c("live_session_id", "直播场次ID", "text", False, None, "直播场次", max_length=64),
        _c("streamer_id", "主播ID", "text", False, None, "主播账号", max_length=64),
        _c("paid_at", "支付时间", "timestamp", True, None, "付款时间"),
        _c("paid_amount", "支付金额", "money", True, None, "实付金额", "付款金额"),
        _c("refund_amount", "退款金额", "money", False, "0"),
        _c("quantity", "数量", "int", False, "1", "购买数量"),
        _c("ship_from_region", "发货地区代码", "region", False, None, "发货地"),
        _c("cross_border", "跨境类型", "code:cross_border", False, ""),
    ),
    ("platform", "order_id"),
    "warehouse",
    (
        ("refund_amount", "refund_amount <= paid_amount", "refund_amount must not exceed paid_amount (退款金额不得超过支付金额)"),
        ("quantity", "quantity >= 1", "quantity must be at least 1 (数量至少为1)"),
    ),
)

SHOP_DAILY = Feed(
    "shop_daily",
    "店铺日统计",
    (
        _c("platform", "平台", "code:platform"),
        _c("shop_id", "店铺ID", "text", True, None, "店铺编号", max_length=64),
        _c("date", "日期", "date", True, None, "统计日期"),
        *SELLER,
        _c("gmv", "成交额", "money", True, None, "销售额", "网络零售额"),
        _c("refunds", "退款额", "money", False, "0", "退款金额"),
        _c("orders", "订单数", "int", False, "0"),
        _c("live_gmv", "直播成交额", "money", False, "0", "直播销售额"),
        _c("live_hours", "直播时长", "decimal", False, "0", "直播时长(小时)"),
        _c("short_videos", "短视频数", "int", False, "0", "短视频数量"),
        _c("category", "品类", "code:category", False, "other", "主营品类"),
        _c("local_product", "是否地产品", "bool", False, "false", "地产品"),
        _c("physical", "是否实物", "bool", False, "true", "实物"),
    ),
    ("platform", "shop_id", "date"),
    "warehouse",
    (
        ("refunds", "refunds <= gmv", "refunds must not exceed gmv (退款额不得超过成交额)"),
        ("live_gmv", "live_gmv <= gmv", "live_gmv must not exceed gmv (直播成交额不得超过成交额)"),
        ("live_hours", "live_hours <= 24", "live_hours of one day must not exceed 24 (直播时长不得超过24小时)"),
    ),
)

LIVE_SESSIONS = Feed(
    "live_sessions",
    "直播场次",
    (
        _c("platform", "平台", "code:platform"),
        _c("session_id", "直播场次ID", "text", True, None, "场次ID", max_length=64),
        _c("streamer_id", "主播ID", "text", True, None, "主播账号", max_length=64),
        _c("shop_id", "店铺ID", "text", False, None, max_length=64),
        _c("started_at", "开播时间", "timestamp"),
        _c("ended_at", "下播时间", "timestamp", False, None, "结束时间"),
        _c("peak_online", "最高在线人数", "int", False, "0", "峰值在线"),
        _c("total_viewers", "累计观看人数", "int", False, "0", "观看人数"),
        _c("gmv", "成交额", "money", False, "0", "直播成交额"),
        _c("orders", "订单数", "int", False, "0"),
        _c("seller_region", "卖家所在地区代码", "region", False, None, "地区代码"),
    ),
    ("platform", "session_id"),
    "warehouse",
    (("ended_at", "ended_at IS NULL OR ended_at >= started_at", "ended_at must not be before started_at (下播时间早于开播时间)"),),
)

PARCELS = Feed(
    "parcels",
    "快递包裹",
    (
        _c("carrier", "快递公司", "text", True, None, "承运商", max_length=64),
        _c("waybill_no", "运单号", "text", True, None, "快递单号", max_length=64),
        _c("origin_region", "始发地区代码", "region", True, None, "寄件地区代码"),
        _c("dest_region", "目的地区代码", "code6", False, None, "收件地区代码"),
        _c("shipped_at", "揽收时间", "timestamp", True, None, "发货时间"),
        _c("order_id", "订单号", "text", False, None, max_length=64),
        _c("platform", "平台", "code:platform", False, None),
        _c("weight_kg", "重量(千克)", "decimal", False, None, "重量", "重量kg"),
    ),
    ("carrier", "waybill_no"),
    "warehouse",
)

ENTITIES = Feed(
    "entities",
    "市场主体",
    (
        _c("uscc", "统一社会信用代码", "uscc", True, None, "信用代码"),
        _c("name", "名称", "text", True, None, "主体名称", "企业名称"),
        _c("kind", "主体类型", "code:entity_kind", True, None, "类型"),
        _c("region", "所在地区代码", "region", True, None, "地区代码"),
        _c("above_quota", "限额以上在统", "bool", False, "false", "限上在统", "是否限上"),
        _c("local_producer", "地产品生产企业", "bool", False, "false", "是否地产品生产企业"),
        _c("founded_on", "成立日期", "date", False, None),
    ),
    ("uscc",),
    "registry",
)

SHOPS = Feed(
    "shops",
    "网店",
    (
        _c("platform", "平台", "code:platform"),
        _c("shop_id", "店铺ID", "text", True, None, max_length=64),
        _c("shop_name", "店铺名称", "text"),
        _c("uscc", "统一社会信用代码", "uscc", False, None, "经营主体信用代码"),
        _c("region", "所在地区代码", "region", True, None, "地区代码"),
        _c("opened_on", "开店日期", "date", False, None),
    ),
    ("platform", "shop_id"),
    "registry",
)

STREAMERS = Feed(
    "streamers",
    "主播",
    (
        _c("platform", "平台", "code:platform"),
        _c("streamer_id", "主播ID", "text", True, None, "主播账号", max_length=64),
        _c("nickname", "主播昵称", "text", True, None, "昵称"),
        _c("uscc", "统一社会信用代码", "uscc", False, None, "所属主体信用代码", "签约机构信用代码"),
        _c("region", "所在地区代码", "region", True, None, "地区代码"),
        _c("real_name", "真实姓名", "text", False, None, "姓名", max_length=50),
        _c("phone", "手机号", "text", False, None, "联系电话", max_length=20),
        _c("followers", "粉丝数", "int", False, "0"),
    ),
    ("platform", "streamer_id"),
    "registry",
)

BASES = Feed(
    "bases",
    "直播基地",
    (
        _c("base_id", "基地编号", "text", True, None, max_length=64),
        _c("name", "基地名称", "text"),
        _c("operator_uscc", "运营主体信用代码", "uscc", False, None, "统一社会信用代码"),
        _c("region", "所在地区代码", "region", True, None, "地区代码"),
        _c("level", "级别", "text", False, "", "基地级别", max_length=20),
        _c("address", "地址", "text", False, None),
    ),
    ("base_id",),
    "registry",
)

FEEDS: dict[str, Feed] = {feed.name: feed for feed in (ORDERS, SHOP_DAILY, LIVE_SESSIONS, PARCELS, ENTITIES, SHOPS, STREAMERS, BASES)}


# Which columns of each feed say where a row belongs, for scope checks (core.scope.restrict_sql).
SCOPE_COLUMNS: dict[str, tuple[str | None, str | None]] = {
    "orders": ("seller_region", "seller_uscc"),
    "shop_daily": ("seller_region", "seller_uscc"),
    "live_sessions": ("seller_region", None),
    "parcels": ("origin_region", None),
    "entities": ("region", "uscc"),
    "shops": ("region", "uscc"),
    "streamers": ("region", "uscc"),
    "bases": ("region", "operator_uscc"),
}
