"""The award list (奖补名单) as people read it: one row per award with the entity's Chinese kind and region, the clause
and its title, the amount the clause gives and what the budget pays, whether it needs review and why. One shape serves
the console, the CLI and the XLSX export (amounts exact in yuan; the console shows them in 万元)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from livecommerce.core.errors import NotFound
from livecommerce.core.money import FEN
from livecommerce.core.timeutil import SHANGHAI, as_shanghai, aware
from livecommerce.policy.clauses import BY_ID
from livecommerce.policy.documents import short_clause_id
from livecommerce.policy.facts import KINDS
from livecommerce.policy.models import PolicyAward, PolicyRun
from livecommerce.policy.service import METHODS
from livecommerce.reference.regions import regions

ZERO = Decimal("0.00")
REVIEW_NOTE = "申报数据与平台数据差异超过容差，需复核"
HEADERS = (("序号", 6), ("主体名称", 34), ("统一社会信用代码/编号", 22), ("类型", 14), ("所在地区", 20), ("条款", 14),
           ("条款名称", 30), ("应享金额(元)", 16), ("拟拨付金额(元)", 16), ("需复核", 8), ("说明", 60))
TOTAL_HEADERS = (("条款", 14), ("条款名称", 34), ("符合条件主体数", 14), ("予以支持主体数", 14), ("应享金额(元)", 18),
                 ("拟拨付金额(元)", 18))


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
    return AwardRow(award.entity_id, award.name, award.uscc, award.kind, KINDS.get(award.kind, award.kind), award.region_code,
                    region_name(award.region_code), award.clause, short_clause_id(award.clause), clause_title(award.clause),
                    award.amount, award.allocated if award.granted else ZERO, award.granted, award.review, "；".join(notes))


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


def _number(sheet: Any, amount: Decimal, bold: bool = False) -> Any:
    cell = WriteOnlyCell(sheet, value=amount.quantize(FEN, ROUND_HALF_UP))
    cell.number_format = "#,##0.00"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _head(sheet: Any, headers: tuple[tuple[str, int], ...], title: str, lines: list[str]) -> None:
    for i, (_, width) in enumerate(headers):
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    cell = WriteOnlyCell(sheet, value=title)
    cell.font = Font(bold=True, size=14)
    sheet.append([cell])
    for line in lines:
        sheet.append([line])
    row = []
    for name, _ in headers:
        header = WriteOnlyCell(sheet, value=name)
        header.font = Font(bold=True)
        header.alignment = Alignment(horizontal="center")
        row.append(header)
    sheet.append(row)


def awards_xlsx(run: PolicyRun, rows: list[AwardRow], totals: list[dict[str, Any]], scope: str) -> bytes:
    """奖补名单 (one row per award, a total row) and 条款汇总 (per clause), amounts as numbers with two decimals."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("奖补名单")
    lines = [f"数据范围：{scope}", run_caption(run), f"调整参数：{changed_parameters(run)}",
             f"导出时间：{datetime.now(SHANGHAI):%Y-%m-%d %H:%M}（龙江直播电商监测服务平台）"]
    _head(sheet, HEADERS, f"{run.year}年度政策兑现奖补名单", lines)
    for index, row in enumerate(rows, start=1):
        sheet.append([index, row.name, row.uscc or row.entity_id, row.kind_name, row.region_name, row.short, row.title,
                      _number(sheet, row.amount), _number(sheet, row.allocated), "是" if row.review else "否", row.note])
    total = WriteOnlyCell(sheet, value="合计")
    total.font = Font(bold=True)
    granted = [r for r in rows if r.granted]
    sheet.append([total, f"{len({r.entity_id for r in granted})} 个主体 {len(granted)} 项奖补", None, None, None, None, None,
                  _number(sheet, sum((r.amount for r in granted), ZERO), True),
                  _number(sheet, sum((r.allocated for r in granted), ZERO), True), None, None])
    summary = workbook.create_sheet("条款汇总")
    _head(summary, TOTAL_HEADERS, f"{run.year}年度政策兑现条款汇总", [f"数据范围：{scope}", run_caption(run)])
    for item in totals:
        summary.append([item["short"], item["title"], item["eligible"], item["granted"], _number(summary, item["amount"]),
                        _number(summary, item["allocated"])])
    last = WriteOnlyCell(summary, value="合计")
    last.font = Font(bold=True)
    summary.append([last, None, sum(t["eligible"] for t in totals), sum(t["granted"] for t in totals),
                    _number(summary, sum((t["amount"] for t in totals), ZERO), True),
                    _number(summary, sum((t["allocated"] for t in totals), ZERO), True)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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


def award_list_xlsx(session: Any, actor: Any, run_id: int, *, city: str | None = None, kind: str | None = None,
                    clause: str | None = None, granted: bool | None = True, review: bool | None = None) -> tuple[bytes, str]:
    """The XLSX of a run's award list as the viewer may see it, filtered as the page is; and its file name."""
    from livecommerce.policy import service

    run = service.get_run(session, actor, run_id)
    every = award_rows(service.awards(session, actor, run_id, city=city, kind=kind, clause=clause, granted=None,
                                      review=review))
    rows = [r for r in every if granted is None or r.granted == granted]
    scope = scope_of(actor, city)
    return awards_xlsx(run, rows, clause_totals(every), scope), f"{run.year}年度奖补名单_{scope}_批次{run.id}.xlsx"


def clause_totals(rows: list[AwardRow]) -> list[dict[str, Any]]:
    """Per clause of the rows shown (eligible and granted awards): entities eligible, granted, amount and allocated —
    ``service.totals`` for a filtered list."""
    from livecommerce.policy.clauses import ORDER

    by: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = by.setdefault(row.clause, {"clause": row.clause, "short": row.short, "title": row.title, "eligible": 0,
                                          "granted": 0, "amount": ZERO, "allocated": ZERO})
        item["eligible"] += 1
        if row.granted:
            item["granted"] += 1
            item["amount"] += row.amount
            item["allocated"] += row.allocated
    return [by[c] for c in sorted(by, key=lambda c: ORDER.get(c, 0))]
