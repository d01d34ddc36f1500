"""目标进度: each target the viewer may see, with the exact figure so far (from the warehouse or the registry), the
forecast at its due date and the plain statement of stats/targets_progress.progress (docs/targets.md).

Figures run to the end of the last complete month (a month still under way would drag a monthly forecast down).
A target of a region wider than the viewer's scope (a city officer looking at the province's 2027 target) is listed
without progress: the province's figure is not hers to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from livecommerce.core.scope import Actor, ensure
from livecommerce.core.settings import Settings
from livecommerce.reference.regions import PROVINCE, regions
from livecommerce.stats.engine import Engine
from livecommerce.stats.models import Target
from livecommerce.stats.periods import Range, month_end
from livecommerce.stats.query import ACTION, Query, run
from livecommerce.stats.registry import Snapshot
from livecommerce.stats.targets import list_targets
from livecommerce.stats.targets_catalogue import TARGET_INDICATORS
from livecommerce.stats.targets_progress import Progress, progress

# target indicator → the statistics indicator whose monthly series measures it
SERIES = {"online_retail": "online_retail", "online_retail_growth": "online_retail", "live_online_retail": "live_online_retail"}
YEARLY_COUNTS = {"sellers_over_100m", "sellers_over_10m"}
REGISTRY_COUNTS = {"live_entities"}
HISTORY_YEARS = 4


@dataclass
class TargetStatus:
    target: Target
    name: str
    progress: Progress | None
    reason: str = ""  # why there is no progress

    def to_json(self) -> dict[str, Any]:
        t, p = self.target, self.progress
        out: dict[str, Any] = {
            "code": t.code,
            "title": t.title,
            "indicator": t.indicator,
            "region": t.region_code,
            "region_name": regions().get(t.region_code).name,
            "target": str(t.target_value),
            "unit": t.unit,
            "comparison": t.comparison,
            "period_start": t.period_start.isoformat(),
            "due_date": t.due_date.isoformat(),
            "document": t.document,
            "clause": t.clause,
            "quote": t.quote,
            "reason": self.reason,
        }
        if p is not None:
            out |= {
                "as_of": p.as_of.isoformat(),
                "actual": str(p.actual),
                "achieved": None if p.achieved is None else str(p.achieved),
                "share": None if p.share is None else str(p.share),
                "forecast": str(p.forecast),
                "low": None if p.low is None else str(p.low),
                "high": None if p.high is None else str(p.high),
                "method": p.method,
                "on_track": p.on_track,
                "gap": str(p.gap),
                "statement": p.statement,
            }
        return out


def figure(value: str | None, unit: str) -> str:
    """A target's figure as people read it: yuan in 亿元 (or 万元 under 1亿), counts whole; — for none."""
    from livecommerce.core.money import format_wan, format_yi

    if value is None:
        return "—"
    amount = Decimal(value)
    if unit == "元":
        return f"{format_yi(amount)}亿元" if abs(amount) >= 100_000_000 else f"{format_wan(amount)}万元"
    return f"{amount:,.0f}{unit}"


def last_complete_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def statuses(session: Session, engine: Engine, actor: Actor, snap: Snapshot, today: date) -> list[TargetStatus]:
    """Every target the actor may see, with its progress where the platform holds its figure."""
    grant = ensure(actor, ACTION)
    as_of = last_complete_month_end(today)
    series_cache: dict[tuple[str, str], list[tuple[date, Decimal]]] = {}
    out = []
    for target in list_targets(session, actor):
        name = TARGET_INDICATORS[target.indicator].name
        if not (grant.everything or target.region_code in grant.regions):
            out.append(TargetStatus(target, name, None, f"{regions().get(target.region_code).name}的数据不在您的权限范围内"))
            continue
        region = None if target.region_code == PROVINCE else target.region_code
        if target.indicator in SERIES:
            key = (SERIES[target.indicator], target.region_code)
            if key not in series_cache:
                series_cache[key] = _monthly(engine, actor, snap, SERIES[target.indicator], region, as_of)
            monthly = series_cache[key]
            year = min(as_of.year, target.due_date.year)
            if not any(m.year == year for m, _ in monthly):
                out.append(TargetStatus(target, name, None, f"数据仓库中没有{year}年的{name}数据"))
                continue
            actual = sum((v for m, v in monthly if m.year == year and m <= as_of), Decimal("0.00"))
            try:
                out.append(TargetStatus(target, name, progress(target, actual, monthly, as_of)))
            except ValueError:  # a growth target whose year before lacks some of its 12 months (targets_progress._previous_year)
                out.append(TargetStatus(target, name, None, f"数据仓库中{year - 1}年的{name}数据不满12个月，无法计算增长"))
        elif target.indicator in YEARLY_COUNTS:
            end = min(as_of, target.due_date)
            result = run(engine, Query(target.indicator, Range(date(end.year, 1, 1), end), region=region), actor, snap)
            count = (result.rows[0].value if result.rows else None) or Decimal(0)
            out.append(TargetStatus(target, name, progress(target, count, [], as_of)))
        elif target.indicator in REGISTRY_COUNTS:
            actual = Decimal(_registry_entities(session, target.region_code))
            out.append(TargetStatus(target, name, progress(target, actual, [], as_of)))
        else:
            out.append(TargetStatus(target, name, None, "平台尚无此项数据来源，需由主管部门填报"))
    return out


def _monthly(engine: Engine, actor: Actor, snap: Snapshot, indicator: str, region: str | None, as_of: date) -> list[tuple[date, Decimal]]:
    """The indicator's monthly series up to ``as_of``, leading months without any figure left out."""
    start = date(as_of.year - HISTORY_YEARS, 1, 1)
    result = run(engine, Query(indicator, Range(start, month_end(as_of)), by=("month",), region=region), actor, snap)
    series = [(date(int(r.keys["month"][:4]), int(r.keys["month"][5:7]), 1), r.value or Decimal(0)) for r in result.rows]
    while series and not series[0][1]:
        series.pop(0)
    return series


def _registry_entities(session: Session, region: str) -> int:
    """电商直播企业数量: the market entities of the region in the registry (主体库, the provincial live-commerce
    entity database of 002 三(四)3)."""
    from livecommerce.entities.models import Entity

    query = select(func.count()).select_from(Entity)
    if region != PROVINCE:
        query = query.where(Entity.region_code.in_(sorted(regions().descendants(region))))
    return int(session.scalar(query) or 0)


def open_statuses(actor: Actor, settings: Settings | None = None, today: date | None = None) -> list[TargetStatus]:
    from livecommerce.core.db import ensure_home, session_scope
    from livecommerce.stats.engine import open_duckdb
    from livecommerce.stats.params import today as today_in_shanghai
    from livecommerce.stats.registry import snapshot

    settings = ensure_home(settings)
    snap = snapshot(settings)
    with session_scope(settings) as session, open_duckdb(settings) as engine:
        return statuses(session, engine, actor, snap, today or today_in_shanghai())


_CACHE: dict[tuple[Any, ...], tuple[float, list[dict[str, Any]]]] = {}
CACHE_SECONDS = 600


def cached_progress(actor: Actor, settings: Settings, today: date | None = None) -> list[dict[str, Any]]:
    """open_statuses as JSON rows, kept until a batch is loaded, a target changes, the month turns, or ten minutes
    pass (the forecasts take a second or two to fit; the dashboard shows them on every visit)."""
    import time

    from livecommerce.core.db import session_scope
    from livecommerce.stats.params import today as today_in_shanghai
    from livecommerce.warehouse.engine import connect

    today = today or today_in_shanghai()
    grant = actor.grant(ACTION)
    with connect(settings, read_only=True) as con:
        loaded = con.execute("SELECT count(*), max(finished_at) FROM batches").fetchall()[0]
    with session_scope(settings) as session:
        edited = session.execute(select(func.count(), func.max(Target.updated_at))).one()
    key = (
        str(settings.home),
        grant.everything,
        tuple(sorted(grant.regions)),
        tuple(sorted(grant.entities)),
        today.year,
        today.month,
        tuple(loaded),
        tuple(edited),
    )
    hit = _CACHE.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    rows = [status.to_json() for status in open_statuses(actor, settings, today)]
    _CACHE[key] = (time.monotonic() + CACHE_SECONDS, rows)
    return rows
