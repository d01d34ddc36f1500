"""Commands of 政策兑现: `livecommerce policy evaluate|accept|run|clauses|budget|places`.

Run by the operator on the server, they see the whole province (SystemActor), as the other commands do. Exit 0 with an
answer; 2 when the input is wrong (a file that is not JSON, a fact that breaks a rule — every problem is printed with its
file, row, field, value and rule — an unknown parameter, a bad budget).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.core.answers import answering
from livecommerce.core.errors import ValidationFailed
from livecommerce.core.money import format_wan
from livecommerce.core.scope import SystemActor

app = typer.Typer(help="政策兑现: rewards and acceptances by the policies' clauses, explained.", no_args_is_help=True)
# A pipe or a file gets lines as wide as the Chinese text needs (160 columns), a terminal its own width.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True)
OPERATOR = SystemActor(name="cli")

File = Annotated[Path, typer.Argument(help="A JSON file (docs/policies.md gives its contract).")]
Format = Annotated[str, typer.Option("--format", help="table (for people) or json (for scripts).")]
Sets = Annotated[list[str] | None, typer.Option("--set", help="NAME=VALUE: change a parameter, e.g. LIVE20/1a.cap=1000000.")]
Year = Annotated[int, typer.Option("--year", help="Performance year (绩效年度), e.g. 2025.")]


def _check_format(output: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if output not in allowed:
        errors.print(f"[red]--format {output!r}: one of {', '.join(allowed)}[/red]")
        raise typer.Exit(2)


def read_json(path: Path) -> Any:
    """A JSON file, or ValidationFailed saying why it cannot be read (missing, not UTF-8, not JSON: line and column)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}: not JSON — {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=1))


def _money(amount: str | Decimal) -> str:
    """'120000.00' → '120,000.00元 (12.00万元)'."""
    value = Decimal(amount)
    return f"{value:,.2f}元 ({format_wan(value)}万元)"


@app.command("evaluate")
def evaluate_command(
    file: File,
    output: Format = "table",
    sets: Sets = None,
    check_warehouse: Annotated[
        bool, typer.Option("--check-warehouse", help="Compare declared sales of entities with a USCC with the platform data (虚报冒领).")
    ] = False,
) -> None:
    """Evaluate the facts of a file clause by clause: eligible, granted and excluded awards, each with its trace."""
    from livecommerce.policy import schemas, service

    _check_format(output)
    with answering(errors):
        document = service.evaluate_payload(
            read_json(file), OPERATOR, overrides=schemas.overrides_of(sets) or None, check_warehouse=check_warehouse, file=str(file)
        )
    if output == "json":
        _echo_json(document)
        return
    _print_evaluation(document)


def _print_evaluation(document: dict[str, Any]) -> None:
    from livecommerce.policy.clauses import BY_ID

    for result in document["results"]:
        shown = Table(title=f"{result['id']} {result['name']}", title_justify="left", show_lines=False)
        for header in ("条款", "条款名称", "金额（元）", "金额（万元）", "结果"):
            shown.add_column(header, justify="right" if "金额" in header else "left")
        for item in result["granted"]:
            clause = BY_ID[item["clause"]]
            shown.add_row(clause.short, clause.title, f"{Decimal(item['amount']):,.2f}", format_wan(Decimal(item["amount"])), "予以支持")
        for item in result["excluded"]:
            clause = BY_ID[item["clause"]]
            shown.add_row(clause.short, clause.title, f"{Decimal(item['amount']):,.2f}", format_wan(Decimal(item["amount"])), "不重复支持")
        console.print(shown)
        console.print(f"合计 {_money(result['total'])}")
        console.print(f"说明 {escape(result['explanation'])}", highlight=False)
        for item in result["review"]:
            if "declared" in item:
                console.print(
                    f"[yellow]需复核[/yellow] {item['label']} {item['year']}: 申报 {_money(item['declared'])}, 平台 "
                    f"{_money(item['warehouse'])}, 差异 {item['share']} (容差 {item['tolerance']})",
                    highlight=False,
                )
        console.print()
    console.print(f"[bold]全部主体合计 {_money(document['total'])}[/bold]")


@app.command("accept")
def accept_command(
    file: File,
    output: Format = "table",
    sample_seed: Annotated[
        str | None, typer.Option("--sample-seed", help="Published seed of the 10% spot check (查验抽样) of each city's accepted objects.")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Subsidy per accepted object in yuan (≤ 22700).")] = None,
) -> None:
    """助企行动 acceptance (001 附件1 三(三)(四)): each service object accepted or not, why, and the subsidy."""
    from livecommerce.policy.acceptance_service import accept_payload
    from livecommerce.policy.schemas import budget_of

    _check_format(output)
    with answering(errors):
        document = accept_payload(read_json(file), OPERATOR, unit=budget_of(unit, "unit"), sample_seed=sample_seed, file=str(file))
    if output == "json":
        _echo_json(document)
        return
    shown = Table(title="助企行动服务对象验收", show_lines=True)
    for header in ("编号", "名称", "服务主体", "结果", "补助（元）", "理由"):
        shown.add_column(header, overflow="fold", justify="right" if "补助" in header else "left")
    for r in document["results"]:
        shown.add_row(
            r["id"],
            r["name"],
            r.get("provider") or "—",
            "达标" if r["accepted"] else "未达标",
            f"{Decimal(r['subsidy']):,.2f}",
            "\n".join(r["reasons"]),
        )
    console.print(shown)
    console.print(f"服务对象 {document['objects']} 个, 达标 {document['accepted']} 个, 补助合计 {_money(document['total'])}")
    if "sample" in document:
        sample = document["sample"]
        console.print(f"查验抽样 (种子 {escape(sample['seed'])}, 比例不低于 {Decimal(sample['share']) * 100:.0f}%):")
        for city in sample["cities"]:
            console.print(f"  {city['name']} 达标 {city['accepted']} 个, 抽取 {len(city['ids'])} 个: {', '.join(city['ids'])}")
        if sample["without_city"]:
            console.print(f"  未填所属市(地), 无法抽样: {', '.join(sample['without_city'])}")


@app.command("run")
def run_command(
    year: Year,
    declared: Annotated[Path | None, typer.Option("--declared", help="Declared facts (the evaluate contract).")] = None,
    budget: Annotated[str | None, typer.Option("--budget", help="Budget in yuan; when short, awards are cut.")] = None,
    allocation: Annotated[str, typer.Option("--allocation", help="pro_rata (按比例) or rank (按排序).")] = "pro_rata",
    sets: Sets = None,
    output: Format = "table",
    top: Annotated[int, typer.Option("--top", help="How many of the largest awards to print.")] = 20,
) -> None:
    """Compute a year's awards for every registered entity from the platform data (and the declared facts), store
    them as a run and print its summary and largest awards."""
    from livecommerce.core.db import session_scope
    from livecommerce.policy import schemas, service, tables

    _check_format(output)
    with answering(errors):
        payload = read_json(declared) if declared else None
        overrides = schemas.overrides_of(sets) or None
        with session_scope() as session:
            summary = service.start_run(
                session,
                OPERATOR,
                year,
                declared=payload,
                declared_name=declared.name if declared else "",
                overrides=overrides,
                budget=schemas.budget_of(budget),
                method=allocation,
            )
            rows = tables.award_rows(service.awards(session, OPERATOR, summary.id))
    if output == "json":
        _echo_json(summary.to_json() | {"awards": [r.to_json() for r in rows[:top]]})
        return
    console.print(
        f"[bold]政策兑现批次 #{summary.id}[/bold] 绩效年度 {summary.year} · 主体 {summary.entities} 个 · 应享 "
        f"{_money(summary.entitled)} · 拟拨付 {_money(summary.paid)} · 需复核 {summary.flagged} 个",
        highlight=False,
    )
    if summary.budget is not None:
        console.print(f"预算 {_money(summary.budget)}, {service.METHODS[summary.method]}")
    shown = Table(title=f"奖补名单 (前 {min(top, len(rows))} 项, 共 {len(rows)} 项)")
    for header in ("主体名称", "类型", "所在地区", "条款", "应享（万元）", "拟拨付（万元）", "需复核"):
        shown.add_column(header, justify="right" if "万元" in header else "left")
    for r in rows[:top]:
        shown.add_row(r.name, r.kind_name, r.region_name, r.short, format_wan(r.amount), format_wan(r.allocated), "是" if r.review else "")
    console.print(shown)


@app.command("clauses")
def clauses_command(
    year: Annotated[int | None, typer.Option("--year", help="Mark which clauses are in force for this year.")] = None,
    output: Format = "table",
    parameters: Annotated[bool, typer.Option("--parameters", help="List every amount parameter with its quote.")] = False,
) -> None:
    """Every clause: document, citation, quoted sentence, who, rule, years in force (一事一议 ones marked)."""
    from livecommerce.policy.service import clauses_table

    _check_format(output)
    rows = clauses_table(year)
    if output == "json":
        _echo_json(rows)
        return
    if parameters:
        console.print("[bold]政策参数 (parameters/*.yaml)[/bold]")
        for row in rows:
            for p in row["parameters"]:
                value = "、".join(p["value"]) if isinstance(p["value"], list) else p["value"]
                console.print(f"[bold]{p['name']}[/bold] = {escape(value)}  {p['description']} ({p['clause']})", highlight=False)
                console.print(f"    “{escape(p['quote'])}”", highlight=False)
        return
    console.print("[bold]政策条款[/bold]" + (f" ({year} 年度)" if year else ""))
    for row in rows:
        years = "、".join(map(str, row["years"])) + (" (本年度不适用)" if row["in_force"] is False else "")
        marks = (" [一事一议]" if row["case_by_case"] else "") + (" [一次性]" if row["once"] else "")
        console.print(f"\n[bold]{row['short']}[/bold] {row['title']}{escape(marks)}  适用年度 {years}", highlight=False)
        console.print(f"    出处 {row['citation']}", highlight=False)
        console.print(f"    对象 {escape(row['who'])}", highlight=False)
        console.print(f"    条件 {escape(row['rule'])}", highlight=False)
        console.print(f"    原文 “{escape(row['quote'])}”", highlight=False)


@app.command("budget")
def budget_command(
    budget: Annotated[str, typer.Option("--budget", help="Budget in yuan, e.g. 34000000.")],
    unit: Annotated[str, typer.Option("--unit", help="Subsidy per object in yuan, e.g. 22700.")],
    output: Format = "table",
) -> None:
    """How many objects a unit subsidy budget pays: floor(budget / unit) — 3400万 / 2.27万 = 1497."""
    from livecommerce.policy.budget import places
    from livecommerce.policy.schemas import budget_of

    _check_format(output)
    with answering(errors):
        cash, each = budget_of(budget, "budget"), budget_of(unit, "unit")
        if cash is None or each is None:
            raise ValidationFailed("--budget and --unit are amounts in yuan")
        count = places(cash, each)
    if output == "json":
        _echo_json({"budget": f"{cash}", "unit": f"{each}", "places": count})
        return
    console.print(f"预算 {_money(cash)} ÷ 每个 {_money(each)} = {count} 个名额 (向下取整)", highlight=False)


@app.command("places")
def places_command(
    year: Year,
    total: Annotated[int, typer.Option("--total", help="Places to share (助企行动 1500).")] = 1500,
    output: Format = "table",
) -> None:
    """助企行动 places by city (001 附件1 四(三)): weighted by each city's 网络零售额 of the year (platform data) and
    its registered 电商企业; 10% of each city's places kept for 限上 enterprises."""
    from livecommerce.core.db import session_scope
    from livecommerce.policy.places import allocate

    _check_format(output)
    with answering(errors), session_scope() as session:
        document = allocate(session, OPERATOR, year, total)
    if output == "json":
        _echo_json(document)
        return
    shown = Table(title=f"助企行动名额分配 ({year} 年网络零售额权重 {document['retail_weight']}, 共 {total} 个)")
    for header in ("市(地)", "网络零售额（万元）", "电商企业数", "限上企业数", "权重", "名额", "其中限上", "说明"):
        shown.add_column(header, justify="left" if header in ("市(地)", "说明") else "right", overflow="fold")
    for c in document["cities"]:
        shown.add_row(
            c["name"],
            format_wan(Decimal(c["online_retail"])),
            str(c["entities"]),
            str(c["above_quota_entities"]),
            c["weight"],
            str(c["places"]),
            str(c["above_quota_places"]),
            c["note"],
        )
    shown.add_row("合计", "", "", "", "", str(sum(c["places"] for c in document["cities"])), "", "")
    console.print(shown)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="policy")
