"""助企行动 acceptance (服务对象验收, HLJ-2023-FUND/accept): whether each service object (服务对象) met the standards of
001 附件1 三(三)2, and the subsidy (补助) it earns its service provider (服务主体) under 三(四).

Input ``{"service_objects": [{"id", "new_store", "service_months", "live_hours", "short_videos", "monthly_sales":
[{"month": "2023-07", "sales": "120000", "prior_year_sales": null}], "name"?, "city"?, "provider"?, "above_quota"?}]}``.
Sales are decimal strings (or integers) in yuan, never JSON floats; hours and months may be any number. Every problem
names the object (its position and id), the field, the value and the rule; a file with a problem is refused whole, so
that nothing is accepted from half a file. docs/policies.md (助企行动 acceptance) is the public statement of the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from livecommerce.core.errors import NotFound, Problem, ValidationFailed
from livecommerce.core.money import FEN, WAN, format_wan, to_money
from livecommerce.policy.facts import Problems
from livecommerce.reference.regions import regions

UNIT = Decimal("22700.00")
MIN_SERVICE_MONTHS = Decimal("6")
MIN_LIVE_HOURS = Decimal("60")
MIN_SHORT_VIDEOS = 20
MIN_MONTHS = 2
MIN_SALES = Decimal("100000.00")
MIN_GROWTH = Decimal("0.20")
ZERO = Decimal("0.00")
REQUIRED = ("id", "new_store", "service_months", "live_hours", "short_videos", "monthly_sales")
OPTIONAL = ("name", "city", "provider", "above_quota")
MONTH_FIELDS = frozenset({"month", "sales", "prior_year_sales"})
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TRUE, FALSE = ("true", "1", "是", "y", "yes"), ("false", "0", "否", "n", "no")


@dataclass(frozen=True)
class MonthSales:
    """One month of a store's sales (单月店铺销售额) and the same month a year before (上年同月), if known."""

    month: str
    sales: Decimal
    prior: Decimal | None


@dataclass(frozen=True)
class ServiceObject:
    """One service object (服务对象, 实体企业) as declared for acceptance."""

    id: str
    name: str
    city: str | None
    provider: str | None
    above_quota: bool
    new_store: bool
    service_months: Decimal
    live_hours: Decimal
    short_videos: int
    months: tuple[MonthSales, ...]


class _Reader(Problems):
    """The fields of an `accept` payload, each parsed or reported (position, field, value, rule)."""

    def money(self, row: int, where: str, raw: Any) -> Decimal | None:
        """001 附件1 三(三)2.③④: a sales figure in yuan, a decimal string or an integer ≥ 0, never a float."""
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            self.fail(row, where, raw, 'an amount is a decimal string in yuan, e.g. "120000.00" (金额须为字符串或整数, 不可为浮点数)')
            return None
        try:
            value = to_money(raw)
        except (ValueError, ArithmeticError):
            self.fail(row, where, raw, "not an amount with at most two decimals (金额格式错误)")
            return None
        if value < 0:
            self.fail(row, where, raw, "an amount must not be negative (金额不可为负)")
            return None
        return value

    def quantity(self, row: int, where: str, raw: Any, whole: bool = False) -> Decimal | None:
        """A number of months, hours or videos ≥ 0 (a JSON number or a decimal string); ``whole`` for counts."""
        rule = "a whole number ≥ 0 (须为非负整数)" if whole else 'a number ≥ 0, e.g. 60 or "60.5" (须为非负数)'
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            self.fail(row, where, raw, rule)
            return None
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            self.fail(row, where, raw, rule)
            return None
        if not value.is_finite() or value < 0 or (whole and value != value.to_integral_value()):
            self.fail(row, where, raw, rule)
            return None
        return value

    def flag(self, row: int, where: str, raw: Any) -> bool | None:
        """A boolean: true/false, 1/0, 是/否, Y/N (DESIGN.md Feeds)."""
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower() if isinstance(raw, (str, int)) else ""
        if text in TRUE or text in FALSE:
            return text in TRUE
        self.fail(row, where, raw, "a boolean is true/false, 1/0, 是/否, Y/N (布尔值)")
        return None

    def city(self, row: int, raw: Any) -> str | None:
        """The 6-digit code of the object's 市(地) (a county code is rolled up to its 市); unknown codes are refused."""
        try:
            city = regions().get(str(raw)).city_code if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
        except NotFound:
            city = None
        if city is None:
            self.fail(row, "city", raw, "a 6-digit region code of a 市(地) of Heilongjiang, e.g. 230100 (地区代码)")
        return city


def _months(reader: _Reader, row: int, raw: Any) -> tuple[MonthSales, ...]:
    """001 附件1 三(三)2.③④: the monthly sales of the service period, one entry per distinct YYYY-MM month."""
    if not isinstance(raw, list):
        reader.fail(row, "monthly_sales", raw, "monthly_sales is a list of {month, sales, prior_year_sales} (月度销售额)")
        return ()
    out: list[MonthSales] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        where = f"monthly_sales[{i}]"
        if not isinstance(item, dict):
            reader.fail(row, where, item, "a month is an object {month, sales, prior_year_sales}")
            continue
        for key in sorted(set(item) - MONTH_FIELDS):
            reader.fail(row, f"{where}.{key}", item[key], "unknown field; a month has month, sales, prior_year_sales (未知字段)")
        month = item.get("month")
        if not isinstance(month, str) or not MONTH.match(month.strip()):
            reader.fail(row, f"{where}.month", month, 'a month is YYYY-MM, e.g. "2023-07" (月份格式错误)')
            month = None
        elif month.strip() in seen:
            reader.fail(row, f"{where}.month", month, f"month given twice; monthly_sales[{seen[month.strip()]}] has it already (重复月份)")
            month = None
        else:
            month = month.strip()
            seen[month] = i
        if "sales" not in item:
            reader.fail(row, f"{where}.sales", None, "missing field (缺少字段)")
        sales = reader.money(row, f"{where}.sales", item["sales"]) if "sales" in item else None
        prior_raw = item.get("prior_year_sales")
        prior = None if prior_raw is None else reader.money(row, f"{where}.prior_year_sales", prior_raw)
        if month is not None and sales is not None and (prior_raw is None or prior is not None):
            out.append(MonthSales(month, sales, prior))
    return tuple(sorted(out, key=lambda m: m.month))


def _object(reader: _Reader, row: int, raw: Any) -> ServiceObject | None:
    """One service object, field by field; None when it cannot be read."""
    if not isinstance(raw, dict):
        reader.fail(row, "service_object", raw, "a service object is an object {id, new_store, …} (服务对象)")
        return None
    for key in sorted(set(raw) - set(REQUIRED) - set(OPTIONAL)):
        reader.fail(row, key, raw[key], "unknown field; docs/policies.md lists them (未知字段)")
    for key in REQUIRED:
        if key not in raw or raw[key] is None:
            reader.fail(row, key, None, "missing field (缺少字段)")
    ident = raw.get("id")
    if "id" in raw and (isinstance(ident, bool) or not isinstance(ident, (str, int)) or not str(ident).strip()):
        reader.fail(row, "id", ident, "an id is a non-empty string (编号)")
    new_store = reader.flag(row, "new_store", raw["new_store"]) if raw.get("new_store") is not None else None
    months = reader.quantity(row, "service_months", raw["service_months"]) if raw.get("service_months") is not None else None
    hours = reader.quantity(row, "live_hours", raw["live_hours"]) if raw.get("live_hours") is not None else None
    videos = reader.quantity(row, "short_videos", raw["short_videos"], whole=True) if raw.get("short_videos") is not None else None
    sales = _months(reader, row, raw["monthly_sales"]) if raw.get("monthly_sales") is not None else ()
    city = reader.city(row, raw["city"]) if raw.get("city") is not None else None
    above = reader.flag(row, "above_quota", raw["above_quota"]) if raw.get("above_quota") is not None else False
    provider = raw.get("provider")
    if provider is not None and (not isinstance(provider, str) or not provider.strip()):
        reader.fail(row, "provider", provider, "the service provider (服务主体) is a non-empty name")
        provider = None
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        reader.fail(row, "name", name, "a name is a string (名称)")
    if new_store is None or months is None or hours is None or videos is None or not isinstance(ident, (str, int)):
        return None
    return ServiceObject(
        id=str(ident).strip(),
        name=str(name or ident).strip(),
        city=city,
        provider=provider.strip() if provider else None,
        above_quota=bool(above),
        new_store=new_store,
        service_months=months,
        live_hours=hours,
        short_videos=int(videos),
        months=sales,
    )


def _label(raw_objects: list[Any], row: int | None) -> str:
    """'3 (E03)': an object's position and, when readable, its id."""
    if row is None or not 1 <= row <= len(raw_objects) or not isinstance(raw_objects[row - 1], dict):
        return str(row)
    ident = raw_objects[row - 1].get("id")
    return f"{row} ({ident})" if ident not in (None, "") else str(row)


def read_objects(payload: Any, file: str | None = None) -> list[ServiceObject]:
    """The service objects of an acceptance payload; ValidationFailed lists every problem, nothing is accepted then."""
    reader = _Reader(file)
    if not isinstance(payload, dict):
        raise ValidationFailed(
            'the file holds one object {"service_objects": […]}', [Problem('the file holds one object {"service_objects": […]}', file=file)]
        )
    for key in sorted(set(payload) - {"service_objects"}):
        reader.fail(None, key, payload[key], "unknown top-level field; expected service_objects")
    raw_objects = payload.get("service_objects")
    if not isinstance(raw_objects, list):
        reader.fail(None, "service_objects", raw_objects, "service_objects is a list")
        raw_objects = []
    read: list[tuple[int, ServiceObject]] = []
    seen: dict[str, int] = {}
    for row, raw in enumerate(raw_objects, start=1):
        obj = _object(reader, row, raw)
        if obj is None:
            continue
        if obj.id in seen:
            reader.fail(row, "id", obj.id, f"duplicate id; service object {seen[obj.id]} has it already (重复的服务对象编号)")
        seen.setdefault(obj.id, row)
        read.append((row, obj))
    if any(obj.provider for _, obj in read):
        for row, obj in read:
            if not obj.provider:
                reader.fail(
                    row, "provider", None, "provider is given for some objects: give the service provider (服务主体) of every object"
                )
    if reader.problems:
        named = [
            Problem(
                rule=(f"service object {_label(raw_objects, p.row)}: {p.rule}" if p.row else p.rule),
                column=p.column,
                value=p.value,
                row=p.row,
                file=p.file,
            )
            for p in reader.problems
        ]
        raise ValidationFailed(f"{len(named)} problem(s) in the service objects; nothing was accepted", named)
    return [obj for _, obj in read]


def _num(value: Decimal) -> str:
    """72 → '72', 59.99 → '59.99', 60.0 → '60'."""
    return f"{value.normalize():f}"


def _wan(amount: Decimal) -> str:
    """An amount in 万元 where two decimals of 万 are exact (120000 → '12.00万元'), else in yuan ('99,999.99元')."""
    exact = (amount / WAN).quantize(FEN) * WAN == amount
    return f"{format_wan(amount)}万元" if exact else f"{amount:,.2f}元"


def _percent(part: Decimal, whole: Decimal) -> str:
    """Growth as a percentage, rounded down to 0.01% so that the figure shown never passes a threshold the real one misses."""
    return f"{(part * 100 / whole).quantize(FEN, rounding=ROUND_FLOOR):+}%"


def _verdict(ok: bool) -> str:
    """达标 / 未达标."""
    return "达标" if ok else "未达标"


def check_service_months(obj: ServiceObject) -> tuple[bool, str]:
    """001 附件1 三(三)2: 服务周期不少于6个月 (≥ 6)."""
    ok = obj.service_months >= MIN_SERVICE_MONTHS
    return ok, f"服务周期 {_num(obj.service_months)} 个月 {'≥' if ok else '<'} 6 个月: {_verdict(ok)}"


def check_live_hours(obj: ServiceObject) -> tuple[bool, str]:
    """001 附件1 三(三)2.①: 直播时长不低于60小时 (≥ 60)."""
    ok = obj.live_hours >= MIN_LIVE_HOURS
    return ok, f"直播时长 {_num(obj.live_hours)} 小时 {'≥' if ok else '<'} 60 小时: {_verdict(ok)}"


def check_short_videos(obj: ServiceObject) -> tuple[bool, str]:
    """001 附件1 三(三)2.②: 发布短视频不低于20条 (≥ 20)."""
    ok = obj.short_videos >= MIN_SHORT_VIDEOS
    return ok, f"短视频 {obj.short_videos} 条 {'≥' if ok else '<'} 20 条: {_verdict(ok)}"


def new_store_month(m: MonthSales) -> tuple[bool, str]:
    """001 附件1 三(三)2.③: 新开设的店铺 — 单月店铺销售额不低于10万元 (≥ 100000.00)."""
    if m.sales >= MIN_SALES:
        return True, f"{m.month} (销售额 {_wan(m.sales)})"
    return False, f"{m.month} (销售额 {_wan(m.sales)} < 10万元)"


def existing_store_month(m: MonthSales) -> tuple[bool, str]:
    """001 附件1 三(三)2.④: 非新开设的店铺 — 同比增长20%以上 (≥ 20%) 且增加绝对值不低于10万元 (≥ 100000.00)."""
    if m.prior is None:
        return False, f"{m.month} (销售额 {_wan(m.sales)}, 无上年同月销售额, 无法计算同比, 不能计入)"
    increase = m.sales - m.prior
    head = f"{m.month} (销售额 {_wan(m.sales)}, 上年同月 {_wan(m.prior)}, 增加 {_wan(increase)}"
    if increase < MIN_SALES:
        return False, f"{head} < 10万元)"
    if m.prior == 0:
        return True, f"{head}, 上年同月为 0, 从零增长视为同比增长20%以上)"
    if increase < MIN_GROWTH * m.prior:
        return False, f"{head}, 同比 {_percent(increase, m.prior)} < 20%)"
    return True, f"{head}, 同比 {_percent(increase, m.prior)})"


def check_sales(obj: ServiceObject) -> tuple[bool, list[str], list[str]]:
    """001 附件1 三(三)2.③④: at least 2 qualifying months in the service period; the months counted, and the lines."""
    judge = new_store_month if obj.new_store else existing_store_month
    judged = [(m, *judge(m)) for m in obj.months]
    counted = [m.month for m, ok, _ in judged if ok]
    shown = ", ".join(text for _, ok, text in judged if ok) or "无"
    ok = len(counted) >= MIN_MONTHS
    if obj.new_store:
        head = "新开设店铺, 单月销售额 ≥ 10万元 的达标月份"
    else:
        head = "非新开设店铺, 单月销售额同比增长 ≥ 20% 且增加 ≥ 10万元 的达标月份"
    lines = [f"{head} {shown}: {len(counted)} 个月 {'≥' if ok else '<'} {MIN_MONTHS} 个月: {_verdict(ok)}"]
    missed = [text for _, month_ok, text in judged if not month_ok]
    if missed:
        lines.append("未计入月份 " + ", ".join(missed))
    return ok, counted, lines


def judge_object(obj: ServiceObject, unit: Decimal) -> dict[str, Any]:
    """001 附件1 三(三)2 and 三(四): accepted when every standard holds; the subsidy is ``unit`` per accepted object."""
    checks = [check_service_months(obj), check_live_hours(obj), check_short_videos(obj)]
    sales_ok, counted, sales_lines = check_sales(obj)
    accepted = all(ok for ok, _ in checks) and sales_ok
    return {
        "id": obj.id,
        "name": obj.name,
        "city": obj.city,
        "provider": obj.provider,
        "above_quota": obj.above_quota,
        "new_store": obj.new_store,
        "accepted": accepted,
        "subsidy": str(unit if accepted else ZERO),
        "qualifying_months": counted,
        "reasons": [line for _, line in checks] + sales_lines,
    }


def check_unit(unit: Decimal | None) -> Decimal:
    """001 附件1 三(四): the subsidy per accepted object, 不超过2.27万元 (0 ≤ unit ≤ 22700.00); default 22700.00."""
    if unit is None:
        return UNIT
    try:
        value = to_money(unit)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValidationFailed(f"unit {unit!r}: not an amount", [Problem("not an amount", "unit", repr(unit))]) from exc
    if not ZERO <= value <= UNIT:
        rule = "the subsidy per accepted object is between 0 and 22700.00 (不超过2.27万元, 001 附件1 三(四))"
        raise ValidationFailed(f"unit {value}: {rule}", [Problem(rule, "unit", str(value))])
    return value


def _providers(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """001 附件1 三(四): the subsidy goes to the service provider (服务主体): per provider, objects, accepted, subsidy."""
    by: dict[str, dict[str, Any]] = {}
    for r in results:
        row = by.setdefault(r["provider"], {"provider": r["provider"], "objects": 0, "accepted": 0, "subsidy": ZERO})
        row["objects"] += 1
        row["accepted"] += int(r["accepted"])
        row["subsidy"] += Decimal(r["subsidy"])
    return [by[p] | {"subsidy": str(by[p]["subsidy"])} for p in sorted(by)]


def accept(payload: dict[str, Any], *, unit: Decimal | None = None, file: str | None = None) -> dict[str, Any]:
    """HLJ-2023-FUND/accept (001 附件1 三(三)(四)): each object accepted or not with its reasons, subsidies and totals."""
    value = check_unit(unit)
    objects = read_objects(payload, file)
    results = [judge_object(obj, value) for obj in objects]
    total = sum((Decimal(r["subsidy"]) for r in results), ZERO)
    out: dict[str, Any] = {
        "unit": str(value),
        "objects": len(results),
        "accepted": sum(1 for r in results if r["accepted"]),
        "results": results,
        "total": str(total),
    }
    if any(obj.provider for obj in objects):
        out["providers"] = _providers(results)
    return out
