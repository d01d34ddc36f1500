"""The award list (奖补名单) as people read it: one row per award with the entity's Chinese kind and region, the clause
and its title, the amount the clause gives and what the budget pays, whether it needs review and why. One shape serves
the console, the CLI and the XLSX export (amounts exact in yuan; the console shows them in 万元)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from livecommerce.core.errors import NotFound
from livecommerce.core.money import FEN
from livecommerce.core.timeutil import SHANGHAI, as_shanghai, aware
from livecommerce.core.web.tables import Filter, Table, TableColumn
from livecommerce.core.web.writer import Sheet, xlsx_bytes
from livecommerce.policy.clauses import BY_ID
from livecommerce.policy.documents import short_clause_id
from livecommerce.policy.facts import KINDS
from livecommerce.policy.models import PolicyAward, PolicyRun
from livecommerce.policy.service import METHODS
from livecommerce.reference.regions import regions

ZERO = Decimal("0.00")
REVIEW_NOTE = "申报数据与平台数据差异超过容差，需复核"


@dataclass(frozen=True)
class AwardRow:
    """One award of a run as shown: names in Chinese, amounts exact in yuan."""

    entity_id: str
    name: str
    uscc: str | None
    kind: str
    kind_name: str
    region_code: str | None
    region_name: str
    clause: str
    short: str
    title: str
    amount: Decimal
    allocated: Decimal
    granted: bool
    review: bool
    note: str

    @property
    def code(self) -> str:
        """统一社会信用代码, or the entity's own id where it has none."""
        return self.uscc or self.entity_id

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["amount"], out["allocated"] = _money(self.amount), _money(self.allocated)
        return out


def region_name(code: str | None) -> str:
    """A region's full name (哈尔滨市道里区); the code itself when it is not in the reference."""
    if not code:
        return "—"
    try:
        return regions().full_name(code)
    except NotFound:
        return code


def clause_title(clause: str) -> str:
    found = BY_ID.get(clause)
    return found.title if found else clause


def award_row(award: PolicyAward) -> AwardRow:
    notes = [] if award.granted else [f"未予支持：{award.reason}"]
    if award.review:
        notes.append(REVIEW_NOTE)
    return AwardRow(
        award.entity_id,
        award.name,
        award.uscc,
        award.kind,
        KINDS.get(award.kind, award.kind),
        award.region_code,
        region_name(award.region_code),
        award.clause,
        short_clause_id(award.clause),
        clause_title(award.clause),
        award.amount,
        award.allocated if award.granted else ZERO,
        award.granted,
        award.review,
        "；".join(notes),
    )


def award_rows(awards: Iterable[PolicyAward]) -> list[AwardRow]:
    return [award_row(a) for a in awards]


def changed_parameters(run: PolicyRun) -> str:
    """The parameters a run changed from the documents' values, in words ('无' when none)."""
    overrides: dict[str, str] = json.loads(run.overrides or "{}")
    return "；".join(f"{name} = {value}" for name, value in sorted(overrides.items())) or "无（按政策文件参数）"


def run_caption(run: PolicyRun) -> str:
    """The run in one line: number, year, when and by whom, source, budget and allocation."""
    created = as_shanghai(aware(run.created_at)).strftime("%Y-%m-%d %H:%M")
    budget = f"预算 {run.budget:,.2f} 元（{METHODS.get(run.method, run.method)}）" if run.budget is not None else "未设预算（全额）"
    return f"兑现批次 #{run.id}　绩效年度 {run.year}　计算时间 {created}　计算人 {run.created_by}　数据来源 {run.source}　{budget}"


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(FEN, ROUND_HALF_UP)}"


AWARD_TABLE = Table(
    "奖补名单",
    (
        TableColumn("index", "序号", kind="int", width=6),
        TableColumn("name", "主体名称", width=34, sortable=True),
        TableColumn("code", "统一社会信用代码/编号", width=22),
        TableColumn("kind_name", "类型", width=14, sortable=True, sort_name="kind"),
        TableColumn("region_name", "所在地区", width=20, sortable=True, sort_name="region", sort_field="region_code"),
        TableColumn("short", "条款", width=14, sortable=True, sort_name="clause"),
        TableColumn("title", "条款名称", width=30),
        TableColumn("amount", "应享金额", "元", "money", width=16, sortable=True, summed=True, shown="wan"),
        TableColumn("allocated", "拟拨付金额", "元", "money", width=16, sortable=True, summed=True, shown="wan"),
        TableColumn("review", "需复核", width=8, sortable=True),
        TableColumn("note", "说明", width=60),
    ),
    (
        Filter("city", "城市"),
        Filter("kind", "主体类型"),
        Filter("clause", "条款"),
        Filter("review", "需复核", "flag"),
        Filter("granted", "结果", "choice", ("true", "false", "all"), default="true"),
    ),
)
"""奖补名单: the page (amounts in 万元) and the XLSX (exact yuan) of one run's awards. city, kind and clause are checked
and applied by ``service.awards`` (a refused one is shown above the list); review and granted are flags."""

TOTAL_TABLE = Table(
    "条款汇总",
    (
        TableColumn("short", "条款", width=14),
        TableColumn("title", "条款名称", width=34),
        TableColumn("eligible", "符合条件主体数", kind="int", width=14, summed=True),
        TableColumn("granted", "予以支持主体数", kind="int", width=14, summed=True),
        TableColumn("amount", "应享金额", "元", "money", width=18, summed=True, shown="wan"),
        TableColumn("allocated", "拟拨付金额", "元", "money", width=18, summed=True, shown="wan"),
    ),
)
"""条款汇总: per clause of the rows shown, with a 合计 row."""


def award_sheets(run: PolicyRun, rows: list[AwardRow], totals: list[dict[str, Any]], scope: str) -> list[Sheet]:
    """奖补名单 (one row per award, a total row) and 条款汇总 (per clause) as the single writer's sheets."""
    granted = [r for r in rows if r.granted]
    lines = [
        f"{run.year}年度政策兑现奖补名单",
        f"数据范围：{scope}",
        run_caption(run),
        f"调整参数：{changed_parameters(run)}",
        f"导出时间：{datetime.now(SHANGHAI):%Y-%m-%d %H:%M}（龙江直播电商监测服务平台）",
    ]
    total = {
        "index": "合计",
        "name": f"{len({r.entity_id for r in granted})} 个主体 {len(granted)} 项奖补",
        **AWARD_TABLE.sums_of(granted),
    }
    numbered = (AWARD_TABLE.cells(r) | {"index": i} for i, r in enumerate(rows, start=1))
    awards = AWARD_TABLE.to_sheet(numbered, caption="\n".join(lines), totals=[total])
    caption = "\n".join([f"{run.year}年度政策兑现条款汇总", f"数据范围：{scope}", run_caption(run)])
    return [awards, TOTAL_TABLE.to_sheet(totals, caption=caption, sums="short")]


def awards_xlsx(run: PolicyRun, rows: list[AwardRow], totals: list[dict[str, Any]], scope: str) -> bytes:
    """奖补名单 (one row per award, a total row) and 条款汇总 (per clause), amounts as numbers with two decimals."""
    return xlsx_bytes(award_sheets(run, rows, totals, scope))


def scope_of(actor: Any, city: str | None = None) -> str:
    """Whose data a list shows: the viewer's scope (全省, 哈尔滨市, 主体 …), or the city chosen inside it."""
    from livecommerce.policy.service import READ
    from livecommerce.stats.query import scope_label

    if city:
        try:
            return regions().find(city).name
        except NotFound:
            return city
    return scope_label(actor.grant(READ))


def award_list_xlsx(
    session: Any,
    actor: Any,
    run_id: int,
    *,
    city: str | None = None,
    kind: str | None = None,
    clause: str | None = None,
    granted: bool | None = True,
    review: bool | None = None,
) -> tuple[bytes, str, int]:
    """The XLSX of a run's award list as the viewer may see it, filtered as the page is; its file name and rows."""
    from livecommerce.policy import service

    run = service.get_run(session, actor, run_id)
    every = award_rows(service.awards(session, actor, run_id, city=city, kind=kind, clause=clause, granted=None, review=review))
    rows = [r for r in every if granted is None or r.granted == granted]
    scope = scope_of(actor, city)
    content = awards_xlsx(run, rows, clause_totals(every), scope)
    return content, f"{run.year}年度奖补名单_{scope}_批次{run.id}.xlsx", len(rows)


def clause_totals(rows: list[AwardRow]) -> list[dict[str, Any]]:
    """Per clause of the rows shown (eligible and granted awards): entities eligible, granted, amount and allocated —
    ``service.totals`` for a filtered list."""
    from livecommerce.policy.clauses import ORDER

    by: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = by.setdefault(
            row.clause,
            {"clause": row.clause, "short": row.short, "title": row.title, "eligible": 0, "granted": 0, "amount": ZERO, "allocated": ZERO},
        )
        item["eligible"] += 1
        if row.granted:
            item["granted"] += 1
            item["amount"] += row.amount
            item["allocated"] += row.allocated
    return [by[c] for c in sorted(by, key=lambda c: ORDER.get(c, 0))]
