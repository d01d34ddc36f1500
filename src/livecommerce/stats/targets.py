"""Targets (目标) of the policies and the progress towards them (DESIGN.md: stats).

Each target is a dated, cited record (stats.models.Target) that a province administrator may edit. The seeds'
quantitative targets are SEED_TARGETS below, inserted by migration 0003; docs/targets.md lists them with their quotes.

Who sees which target (action "stats.read"): everything for a province-wide grant; otherwise the province's targets,
the targets of the regions inside the actor's scope and of the regions above it (a 黑河市 officer sees the province's
and 黑河市's targets, not 哈尔滨市's) — the targets a bureau works under. Only "targets.write" (province_admin) edits,
and every write is audited with before and after. The caller commits.

Progress compares a forecast at the due date with the target by the target's own rule: "over" (超过/突破) needs the
forecast strictly above the figure, "at_least" (以上/不低于/达到) reaching it is enough (《民法典》第1259条).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from livecommerce.accounts import audit
from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.core.money import YI, format_wan, format_yi, to_money
from livecommerce.core.scope import Actor, ensure, scope_condition
from livecommerce.core.timeutil import now
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats.forecast import Forecast, forecast_year_end
from livecommerce.stats.models import COMPARISONS, Target

READ = "stats.read"
WRITE = "targets.write"


@dataclass(frozen=True)
class Indicator:
    """What a target measures: its Chinese name and how its value at the due date is formed — "amount" (the due
    year's total, summed from months), "growth" (a year's increase over the year before) or "count" (the latest
    value, e.g. the number of enterprises at the time)."""

    name: str
    kind: str


TARGET_INDICATORS: dict[str, Indicator] = {
    "online_retail": Indicator("网络零售额", "amount"),
    "online_retail_growth": Indicator("网络零售额", "growth"),  # the yearly increase of online_retail
    "live_online_retail": Indicator("直播带货销售额", "amount"),
    "driven_output": Indicator("带动产值", "amount"),
    "live_entities": Indicator("电商直播企业数量", "count"),
    "sellers_over_100m": Indicator("年度网络零售额亿元级企业数量", "count"),
    "sellers_over_10m": Indicator("年度网络零售额千万元级企业数量", "count"),
    "demonstration_bases": Indicator("电商直播示范基地(园区)数量", "count"),
    "shared_bases_large": Indicator("大型直播电商共享基地数量", "count"),
    "shared_bases_medium": Indicator("中型直播电商共享基地数量", "count"),
    "shared_bases_large_medium": Indicator("大中型直播电商共享基地数量", "count"),
    "shared_bases_regional": Indicator("区域性直播电商共享基地数量", "count"),
    "backbone_enterprises": Indicator("骨干企业数量", "count"),
    "influencer_brands": Indicator("网红品牌数量", "count"),
    "trained_people": Indicator("直播销售和运营培训人数", "count"),
    "ecosystem_enterprises": Indicator("集聚生态企业数量", "count"),
    "ecosystem_trade_enterprises": Indicator("集聚生态、外贸企业数量", "count"),
}


@dataclass(frozen=True)
class SeedTarget:
    """One target as the seed states it (the rows migration 0003 inserts)."""

    code: str
    title: str
    indicator: str
    region_code: str
    target_value: Decimal
    unit: str
    comparison: str
    period_start: date
    due_date: date
    document: str
    clause: str
    quote: str
    note: str = ""


# --- the seeds' targets ----------------------------------------------------------------------------------------------
# Quotes are exact text of the seed files with the PDF's line breaks removed.

_D000, _C000 = "000_f467ed5c45ed642d.txt", "附件1 一、工作目标"
_Q000_GROWTH = "2025到2027年,全省电商直播产业全面高质量发展,网络零售额年均增长突破100亿元,年均增速超过全国平均水平。"
_Q000_2027 = (
    "到2027年底,全省网络零售额突破1200亿元;电商直播企业数量突破2.2万家(年度网络零售额亿元级企业数量突破40家,千万元级企业数量突破400家)。"
)
_Q000_BASES = (
    "全省打造具有典型示范领跑效应的电商直播示范基地(园区)5家;建立健全“龙江电商好物”标准体系和全流程服务;"
    "建立完善省市县乡村电商直播物流配送体系;建立壮大电商直播全产业链人才梯队。"
)
_D002, _C002 = "002_b2d67e67f9f1a824.txt", "二、发展目标"
_Q002_BUILD = (
    "到2022年底，力争建成一批直播电商共享基地（1个大型、5个中型、20个区域直播电商共享基地），培育100个骨干企业、"
    "1000个网红品牌，培训10万名直播销售和运营人员，将我省打造成为全国知名“直播电商之都”。"
)
_Q002_SALES = "实现直播带货销售100亿元，集聚生态企业1000家，带动产值1000亿元。"
_D003, _C003 = "003_50153b192cdc70d5.txt", "一、总体要求"
_Q003 = (
    "到 2022 年年末，力争建成大中型直播电商共享基地 2 个，区域性直播电商共享基地 5 个，培育骨干企业超过 10 个、"
    "网红品牌超过 100 个，直播销售和运营人员培训超过 1 万人，实现直播带货销售 10 亿元，集聚生态、外贸企业 100 家，"
    "带动产值100 亿元，将我市打造成为具有跨境和农业特色的直播电商共享基地。"
)
_BREAK = "突破 is read as 超过: the figure itself does not meet the target."
_BARE = "A bare figure (力争/实现/培育 N) is met by reaching it: at_least."
_YEAR = "Read as the 2022 calendar year's total."


def _seed(
    code: str, title: str, indicator: str, value: str, unit: str, comparison: str, document: str, clause: str, quote: str, note: str = ""
) -> SeedTarget:
    region, start, due = {
        _D000: (PROVINCE, date(2025, 1, 1), date(2027, 12, 31)),
        _D002: (PROVINCE, date(2020, 1, 1), date(2022, 12, 31)),
        _D003: ("231100", date(2021, 1, 1), date(2022, 12, 31)),
    }[document]
    return SeedTarget(
        code,
        title,
        indicator,
        region,
        Decimal(value).quantize(Decimal("0.01")),
        unit,
        comparison,
        start,
        due,
        document,
        clause,
        quote,
        note,
    )


SEED_TARGETS: tuple[SeedTarget, ...] = (
    _seed(
        "p2027-online-retail",
        "到2027年底全省网络零售额突破1200亿元",
        "online_retail",
        "120000000000",
        "元",
        "over",
        _D000,
        _C000,
        _Q000_2027,
        _BREAK + " The 2027 calendar year's total.",
    ),
    _seed(
        "p2027-online-retail-growth",
        "2025到2027年网络零售额年均增长突破100亿元",
        "online_retail_growth",
        "10000000000",
        "元",
        "over",
        _D000,
        _C000,
        _Q000_GROWTH,
        _BREAK + " Checked each year: the year's total minus the year before's. 年均增速超过全国平均水平 has no figure "
        "of its own (it needs the national rate) and is not seeded.",
    ),
    _seed(
        "p2027-live-entities",
        "到2027年底电商直播企业数量突破2.2万家",
        "live_entities",
        "22000",
        "家",
        "over",
        _D000,
        _C000,
        _Q000_2027,
        _BREAK,
    ),
    _seed(
        "p2027-sellers-over-100m",
        "到2027年底年度网络零售额亿元级企业突破40家",
        "sellers_over_100m",
        "40",
        "家",
        "over",
        _D000,
        _C000,
        _Q000_2027,
        _BREAK + " 亿元级: yearly online retail of 1亿元 or more.",
    ),
    _seed(
        "p2027-sellers-over-10m",
        "到2027年底千万元级企业突破400家",
        "sellers_over_10m",
        "400",
        "家",
        "over",
        _D000,
        _C000,
        _Q000_2027,
        _BREAK + " 千万元级: yearly online retail of 1000万元 or more.",
    ),
    _seed(
        "p2027-demonstration-bases",
        "到2027年打造电商直播示范基地(园区)5家",
        "demonstration_bases",
        "5",
        "家",
        "at_least",
        _D000,
        _C000,
        _Q000_BASES,
        _BARE,
    ),
    _seed(
        "p2022-shared-bases-large",
        "到2022年底建成大型直播电商共享基地1个",
        "shared_bases_large",
        "1",
        "个",
        "at_least",
        _D002,
        _C002,
        _Q002_BUILD,
        _BARE,
    ),
    _seed(
        "p2022-shared-bases-medium",
        "到2022年底建成中型直播电商共享基地5个",
        "shared_bases_medium",
        "5",
        "个",
        "at_least",
        _D002,
        _C002,
        _Q002_BUILD,
        _BARE,
    ),
    _seed(
        "p2022-shared-bases-regional",
        "到2022年底建成区域直播电商共享基地20个",
        "shared_bases_regional",
        "20",
        "个",
        "at_least",
        _D002,
        _C002,
        _Q002_BUILD,
        _BARE,
    ),
    _seed(
        "p2022-backbone-enterprises",
        "到2022年底培育骨干企业100个",
        "backbone_enterprises",
        "100",
        "个",
        "at_least",
        _D002,
        _C002,
        _Q002_BUILD,
        _BARE,
    ),
    _seed(
        "p2022-influencer-brands",
        "到2022年底培育网红品牌1000个",
        "influencer_brands",
        "1000",
        "个",
        "at_least",
        _D002,
        _C002,
        _Q002_BUILD,
        _BARE,
    ),
    _seed(
        "p2022-trained-people",
        "到2022年底培训直播销售和运营人员10万名",
        "trained_people",
        "100000",
        "人",
        "at_least",
        _D002,
        _C002,
        _Q002_BUILD,
        _BARE + " Counted from 2020 on.",
    ),
    _seed(
        "p2022-live-online-retail",
        "2022年实现直播带货销售100亿元",
        "live_online_retail",
        "10000000000",
        "元",
        "at_least",
        _D002,
        _C002,
        _Q002_SALES,
        _BARE + " " + _YEAR,
    ),
    _seed(
        "p2022-ecosystem-enterprises",
        "到2022年底集聚生态企业1000家",
        "ecosystem_enterprises",
        "1000",
        "家",
        "at_least",
        _D002,
        _C002,
        _Q002_SALES,
        _BARE,
    ),
    _seed(
        "p2022-driven-output",
        "2022年带动产值1000亿元",
        "driven_output",
        "100000000000",
        "元",
        "at_least",
        _D002,
        _C002,
        _Q002_SALES,
        _BARE + " " + _YEAR,
    ),
    _seed(
        "heihe2022-shared-bases-large-medium",
        "黑河市到2022年末建成大中型直播电商共享基地2个",
        "shared_bases_large_medium",
        "2",
        "个",
        "at_least",
        _D003,
        _C003,
        _Q003,
        _BARE,
    ),
    _seed(
        "heihe2022-shared-bases-regional",
        "黑河市到2022年末建成区域性直播电商共享基地5个",
        "shared_bases_regional",
        "5",
        "个",
        "at_least",
        _D003,
        _C003,
        _Q003,
        _BARE,
    ),
    _seed(
        "heihe2022-backbone-enterprises",
        "黑河市到2022年末培育骨干企业超过10个",
        "backbone_enterprises",
        "10",
        "个",
        "over",
        _D003,
        _C003,
        _Q003,
        "超过: the figure itself does not meet the target.",
    ),
    _seed(
        "heihe2022-influencer-brands",
        "黑河市到2022年末培育网红品牌超过100个",
        "influencer_brands",
        "100",
        "个",
        "over",
        _D003,
        _C003,
        _Q003,
        "超过: the figure itself does not meet the target.",
    ),
    _seed(
        "heihe2022-trained-people",
        "黑河市到2022年末直播销售和运营人员培训超过1万人",
        "trained_people",
        "10000",
        "人",
        "over",
        _D003,
        _C003,
        _Q003,
        "超过: the figure itself does not meet the target. Counted from 2021 on.",
    ),
    _seed(
        "heihe2022-live-online-retail",
        "黑河市2022年实现直播带货销售10亿元",
        "live_online_retail",
        "1000000000",
        "元",
        "at_least",
        _D003,
        _C003,
        _Q003,
        _BARE + " " + _YEAR,
    ),
    _seed(
        "heihe2022-ecosystem-trade-enterprises",
        "黑河市到2022年末集聚生态、外贸企业100家",
        "ecosystem_trade_enterprises",
        "100",
        "家",
        "at_least",
        _D003,
        _C003,
        _Q003,
        _BARE,
    ),
    _seed(
        "heihe2022-driven-output",
        "黑河市2022年带动产值100亿元",
        "driven_output",
        "10000000000",
        "元",
        "at_least",
        _D003,
        _C003,
        _Q003,
        _BARE + " " + _YEAR,
    ),
)

# --- reading and writing targets -------------------------------------------------------------------------------------

FIELDS = (
    "code",
    "title",
    "indicator",
    "region_code",
    "target_value",
    "unit",
    "comparison",
    "period_start",
    "due_date",
    "document",
    "clause",
    "quote",
    "note",
)
REQUIRED = frozenset(FIELDS) - {"note"}
LENGTHS = {"code": 64, "title": 200, "indicator": 64, "unit": 16, "document": 100, "clause": 100}
CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Targets the actor may read: its grant's regions, the regions above them and the province (default deny)."""
    grant = actor.grant(READ)
    if grant.everything:
        return true()
    if grant.nothing:
        return false()
    above = {PROVINCE} | {region.code for code in grant.regions for region in regions().ancestors(code)}
    return or_(scope_condition(grant, Target.region_code), Target.region_code.in_(sorted(above)))


def list_targets(session: Session, actor: Actor) -> list[Target]:
    """The targets the actor may see, by due date, region and code."""
    query = select(Target).where(_visible(actor)).order_by(Target.due_date, Target.region_code, Target.code)
    return list(session.scalars(query))


def get_target(session: Session, actor: Actor, code: str) -> Target:
    """One target by its code; NotFound when missing or outside what the actor may see."""
    target = session.scalars(select(Target).where(Target.code == code, _visible(actor))).one_or_none()
    if target is None:
        raise NotFound(f"target {code} not found")
    return target


def snapshot(target: Target) -> dict[str, Any]:
    """The target's fields as the audit log records them."""
    return {name: getattr(target, name) for name in FIELDS}


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated values of the given fields; ValidationFailed naming every field that breaks its rule."""
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            problems.append(f"{name}: not a field of a target")
        elif name == "target_value":
            try:
                clean[name] = to_money(value)
                if clean[name] < 0:
                    problems.append("target_value: must not be negative")
            except (TypeError, ValueError) as exc:
                problems.append(f"target_value: {exc}")
        elif name in ("period_start", "due_date"):
            if not isinstance(value, date):
                problems.append(f"{name}: {value!r} is not a date")
            clean[name] = value
        elif not isinstance(value, str) or (not value.strip() and name != "note"):
            problems.append(f"{name}: must be text{'' if name == 'note' else ' and not empty'}")
        elif len(value.strip()) > LENGTHS.get(name, 10_000):
            problems.append(f"{name}: at most {LENGTHS.get(name)} characters")
        else:
            clean[name] = value.strip()
    text = {name: value for name, value in clean.items() if isinstance(value, str)}
    if "code" in text and not CODE.fullmatch(text["code"]):
        problems.append(f"code: {text['code']!r} is not a slug of a-z, 0-9 and '-'")
    if "indicator" in text and text["indicator"] not in TARGET_INDICATORS:
        problems.append(f"indicator: {text['indicator']!r} is not one of {', '.join(TARGET_INDICATORS)}")
    if "comparison" in text and text["comparison"] not in COMPARISONS:
        problems.append(f"comparison: {text['comparison']!r} is not over (超过) or at_least (以上/达到)")
    if "region_code" in text and text["region_code"] not in regions().by_code:
        problems.append(f"region_code: {text['region_code']!r} is not a region of Heilongjiang")
    if problems:
        raise ValidationFailed("; ".join(problems))
    return clean


def _check_dates(period_start: date, due_date: date) -> None:
    if due_date < period_start:
        raise ValidationFailed(f"due_date {due_date} is before period_start {period_start}")


def create_target(session: Session, actor: Actor, **fields: Any) -> Target:
    """Add a target (audited as target.create)."""
    missing = sorted(REQUIRED - fields.keys())
    if missing:
        raise ValidationFailed(f"a target needs {', '.join(missing)}")
    clean = _clean(fields)
    ensure(actor, WRITE, region=clean["region_code"])
    _check_dates(clean["period_start"], clean["due_date"])
    if session.scalars(select(Target.id).where(Target.code == clean["code"])).first() is not None:
        raise ValidationFailed(f"code: target {clean['code']} exists already")
    target = Target(**{"note": "", **clean}, updated_at=now(), updated_by=actor.name)
    session.add(target)
    session.flush()
    audit.record(session, actor.name, "target.create", "target", target.code, None, snapshot(target))
    return target


def update_target(session: Session, actor: Actor, code: str, /, **changes: Any) -> Target:
    """Change the given fields of a target (audited as target.update with before and after; no change, no line).
    The code is the target's stable name and cannot change."""
    target = get_target(session, actor, code)
    ensure(actor, WRITE, region=target.region_code)
    if "code" in changes:
        raise ValidationFailed("code: a target's code cannot change")
    clean = _clean(changes)
    if "region_code" in clean:
        ensure(actor, WRITE, region=clean["region_code"])
    _check_dates(clean.get("period_start", target.period_start), clean.get("due_date", target.due_date))
    before = snapshot(target)
    for name, value in clean.items():
        setattr(target, name, value)
    after = snapshot(target)
    if after != before:
        target.updated_at, target.updated_by = now(), actor.name
        session.flush()
        audit.record(session, actor.name, "target.update", "target", code, before, after)
    return target


def seed_rows() -> list[dict[str, Any]]:
    """SEED_TARGETS as plain rows (what migration 0003 inserts and the tests compare with)."""
    return [asdict(seed) for seed in SEED_TARGETS]


# --- progress --------------------------------------------------------------------------------------------------------

SHARE = Decimal("0.0001")


@dataclass(frozen=True)
class Progress:
    """How far a target is reached and where the trend leads by its due date.

    ``actual`` is the exact figure passed in; ``achieved`` what of it counts towards the target (for a growth target,
    the increase over the same months of the year before); ``forecast`` the estimate at the due date (for growth, the
    year's increase) with its 90% band ``low``-``high`` where the method gives one; ``gap`` = forecast − target;
    ``statement`` says it in one Chinese sentence."""

    code: str
    as_of: date
    actual: Decimal
    achieved: Decimal | None
    share: Decimal | None  # achieved / target, 4 decimals: 0.5123 is 51.23%
    forecast: Decimal
    low: Decimal | None
    high: Decimal | None
    method: str  # a key of forecast.METHODS, or "latest" (no series) or "closed" (due date passed)
    on_track: bool
    gap: Decimal
    statement: str = ""
    detail: Forecast | None = None


def meets(comparison: str, value: Decimal, target: Decimal) -> bool:
    """Whether value meets target: "over" (超过) strictly greater, "at_least" (以上/达到) greater or equal."""
    if comparison == "over":
        return value > target
    if comparison == "at_least":
        return value >= target
    raise ValueError(f"unknown comparison {comparison!r}")


def progress(
    target: Target | SeedTarget,
    actual: Decimal,
    monthly: list[tuple[date, Decimal]],
    as_of: date,
    *,
    previous_year_actual: Decimal | None = None,
) -> Progress:
    """Progress of a target on ``as_of``.

    ``actual`` is the indicator's exact figure so far: for an amount, the total of the year of ``as_of`` (or of the
    due year once it has passed) to date; for a growth target, the same total (the increase is taken against the year
    before: ``previous_year_actual``, or the series' twelve months of that year); for a count, the latest count.
    ``monthly`` is the indicator's monthly series (first of month → value; counts: the value at each month), may be
    empty: an amount then forecasts its actual, a count its latest value, and the statement says so."""
    kind = TARGET_INDICATORS[target.indicator].kind
    goal = Decimal(target.target_value)
    series = [(month, value) for month, value in monthly if month <= as_of]
    closed = as_of > target.due_date
    detail: Forecast | None = None
    achieved: Decimal | None = actual
    baseline = Decimal("0.00")
    if kind == "growth":
        year = min(as_of.year, target.due_date.year)
        baseline = _previous_year(series, year, previous_year_actual)
        detail = forecast_year_end(series, year) if series else None
        achieved = _increase_to_date(series, year, actual)
    elif series and not closed:
        detail = forecast_year_end(series, target.due_date.year, aggregate="sum" if kind == "amount" else "last")
    forecast = (detail.year_end if detail else actual) - baseline
    low = detail.low - baseline if detail and detail.low is not None else None
    high = detail.high - baseline if detail and detail.high is not None else None
    if kind == "count" and detail:  # a forecast count is a whole number of enterprises, bases, people
        forecast, low, high = (_whole(value) for value in (forecast, low, high))
    method = detail.method if detail else ("closed" if closed else "latest")
    share = (achieved / goal).quantize(SHARE, rounding=ROUND_HALF_UP) if achieved is not None and goal else None
    result = Progress(
        target.code,
        as_of,
        actual,
        achieved,
        share,
        forecast,
        low,
        high,
        method,
        meets(target.comparison, forecast, goal),
        forecast - goal,
        detail=detail,
    )
    return replace(result, statement=statement(target, result))


def _whole(value: Decimal | None) -> Any:
    return None if value is None else value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _previous_year(series: list[tuple[date, Decimal]], year: int, given: Decimal | None) -> Decimal:
    if given is not None:
        return given
    months = [value for month, value in series if month.year == year - 1]
    if len(months) != 12:
        raise ValueError(
            f"a growth target needs {year - 1}'s total: pass previous_year_actual or a series with its 12 months ({len(months)} given)"
        )
    return sum(months, Decimal("0.00"))


def _increase_to_date(series: list[tuple[date, Decimal]], year: int, actual: Decimal) -> Decimal | None:
    """This year's total to date minus the same months of the year before, when the series has them."""
    this_year = [month for month, _ in series if month.year == year]
    if not this_year:
        return None
    before = [value for month, value in series if month.year == year - 1 and month.month <= this_year[-1].month]
    if len(before) != this_year[-1].month:
        return None
    return actual - sum(before, Decimal("0.00"))


def _amount(target: Target | SeedTarget, value: Decimal) -> str:
    """A figure in the target's unit: yuan as 亿元 (targets of 1亿 or more) or 万元, two decimals half-up."""
    if target.unit == "元":
        return f"{format_yi(value)}亿元" if abs(Decimal(target.target_value)) >= YI else f"{format_wan(value)}万元"
    shown = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{shown}{target.unit}"


def statement(target: Target | SeedTarget, result: Progress) -> str:
    """The plain Chinese sentence of a progress: what is expected, against which target, on track or not."""
    indicator = TARGET_INDICATORS[target.indicator]
    due = target.due_date
    when = f"{due.year}年末" if (due.month, due.day) == (12, 31) else f"{due.year}年{due.month}月{due.day}日"
    place = "全省" if target.region_code == PROVINCE else regions().get(target.region_code).name
    figure = _amount(target, abs(result.forecast) if indicator.kind == "growth" else result.forecast)
    if result.low is not None and result.high is not None:
        figure += f"(90%区间{_amount(target, result.low)}至{_amount(target, result.high)})"
    if result.detail and result.detail.missing_months and indicator.kind == "amount":
        first, last = result.detail.missing_months[0], result.detail.missing_months[-1]
        figure += f"(缺{first.year}年{first.month}-{last.month}月数据，未计入)"
    if indicator.kind == "growth":
        year = result.detail.year if result.detail else min(result.as_of.year, due.year)
        lead = "按已完成值(无月度序列)，" if result.method == "latest" else "按当前趋势，预计"
        change = "增加" if result.forecast >= 0 else "减少"
        opening = f"{lead}{year}年{place}{indicator.name}较上年{change}{figure}"
    elif result.method == "closed":
        opening = f"目标期已结束，{when}{place}{indicator.name}实际{figure}"
    elif result.method == "latest":
        opening = f"按最新值(无月度序列，以最新值作为预测)，预计{when}{place}{indicator.name}{figure}"
    else:
        opening = f"按当前趋势，预计{when}{place}{indicator.name}{figure}"
    goal = _amount(target, Decimal(target.target_value))
    if result.gap > 0:
        comparison = f"高于目标{goal}{_amount(target, result.gap)}"
    elif result.gap < 0:
        comparison = f"低于目标{goal}{_amount(target, -result.gap)}"
    elif target.comparison == "over":
        comparison = f"恰好等于目标{goal}，但目标要求超过该数，不含本数(《民法典》第1259条)"
    else:
        comparison = f"恰好达到目标{goal}"
    if result.method == "closed":
        verdict = "已完成" if result.on_track else "未完成"
    else:
        verdict = "进度正常" if result.on_track else "未达进度"
    return f"{opening}，{comparison}，{verdict}"
