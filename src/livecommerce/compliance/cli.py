"""Commands of 合规检测: `livecommerce compliance scan|check|packs`.

Exit codes follow grep: 0 when nothing was found, 1 when any prohibited word or claim was found, 2 when the input is
wrong (a file that cannot be read, a line that is not JSON or not a record — named by file and line — an unknown pack).
`scan` streams: records are read a line at a time and scanned in batches of 5,000, each answer written as soon as its
batch is scanned; a wrong line stops the command with exit 2, and the answers of the batches before it stay written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Annotated, Any

import click
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from livecommerce.core.answers import answering
from livecommerce.core.errors import Problem, ValidationFailed

app = typer.Typer(help="合规检测: prohibited words and claims in scripts, titles, transcripts and chat.", no_args_is_help=True)
# A pipe or a file gets lines as wide as the Chinese text needs (160 columns), a terminal its own width.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True)

Packs = Annotated[
    list[str] | None,
    typer.Option("--pack", help="Only this rule pack (repeatable); default: every pack. `livecommerce compliance packs` lists them."),
]
ProductTypeOption = Annotated[
    str | None,
    typer.Option(
        "--product-type",
        help="What the text is about: food, health_food, special_medical_food, cosmetic, special_cosmetic, "
        "drug, medical_device, other (default: unknown). A 保健食品 may use its 保健功能目录 wording, a "
        "特殊化妆品 its registered effect; drug and medical_device texts are not checked for medical claims.",
    ),
]
ORIGINS = {"builtin": "内置", "local": "本地（LIVECOMMERCE_COMPLIANCE_PACKS_DIR）"}
STYLES = {"high": "bold white on red", "medium": "bold black on yellow", "low": "black on cyan"}


def _check_format(output: str, allowed: tuple[str, ...]) -> None:
    if output not in allowed:
        errors.print(f"[red]--format {output!r}: one of {', '.join(allowed)}[/red]")
        raise typer.Exit(2)


def _packs(names: list[str] | None) -> list[str] | None:
    """The packs asked for, each once, in order (None: every pack)."""
    return list(dict.fromkeys(names)) if names else None


class Lines:
    """The records of a JSON Lines stream, read one line at a time; blank lines are skipped, and ``line`` is the
    number of the line read last, so an error found later can name it."""

    def __init__(self, handle: IO[str], name: str) -> None:
        self.handle, self.name, self.line = handle, name, 0

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                raw = self.handle.readline()
            except UnicodeDecodeError as exc:
                raise self.refused(f"not UTF-8 text ({exc.reason})", self.line + 1) from None
            if not raw:
                return
            self.line += 1
            if self.line == 1:
                raw = raw.lstrip("\ufeff")
            if not raw.strip():
                continue
            try:
                yield json.loads(raw)
            except json.JSONDecodeError as exc:
                raise self.refused(f"not JSON — {exc.msg} at column {exc.colno}", self.line) from None

    def refused(self, rule: str, line: int, value: str | None = None) -> NotARecord:
        return NotARecord(f"{self.name} line {line}: {rule}", [Problem(rule, row=line, file=self.name, value=value)])

    def located(self, exc: ValidationFailed) -> ValidationFailed:
        """The service's refusal of a record, naming the line of the file (blank lines are not records)."""
        if isinstance(exc, NotARecord) or not self.line:
            return exc
        problems = [replace(p, row=self.line, file=self.name) for p in exc.problems]
        if any(p.column == "product_type" for p in problems):  # an unknown product type: say which are allowed
            allowed = problems[0].rule.removeprefix("product_type is ")
            return NotARecord(f"{self.name} line {self.line}: product_type {problems[0].value!r}: {allowed}", problems)
        return NotARecord(f'{self.name} line {self.line}: a record is {{"id": …, "text": "…"}} with text a string', problems)


class NotARecord(ValidationFailed):
    """A line of the input that is not a record, named by file and line."""


@app.command("scan")
def scan_command(
    file: Annotated[
        str, typer.Argument(metavar="FILE.jsonl|-", help='JSON Lines of {"id": …, "text": "…"} (UTF-8); - reads standard input.')
    ],
    packs: Packs = None,
    output: Annotated[
        str, typer.Option("--format", help='jsonl (one {"id", "hits"} line per record, for scripts) or table (the hits, for people).')
    ] = "jsonl",
    product_type: ProductTypeOption = None,
) -> None:
    """Scan many texts: one answer line {"id", "hits": [{rule, category, severity, law, start, end, text,
    suggestion}]} per record, in order (start/end: character offsets in the record's text). Exit 0 when nothing was
    found, 1 when anything was, 2 on bad input."""
    from livecommerce.compliance import service

    _check_format(output, ("jsonl", "table"))
    _check_product_type(product_type)
    name = "<stdin>" if file == "-" else file
    found = records = 0
    rows: list[tuple[str, dict[str, Any]]] = []
    with answering(errors):
        try:
            handle = click.open_file(file, "r", encoding="utf-8", errors="strict")
        except OSError as exc:
            raise ValidationFailed(f"{file}: cannot be read ({exc.strerror or exc})") from None
        with handle:
            lines = Lines(handle, name)
            try:
                records_in = lines if product_type is None else _with_type(lines, product_type)
                for result in service.scan_records(records_in, _packs(packs), source=name):
                    records += 1
                    found += len(result["hits"])
                    if output == "jsonl":
                        typer.echo(json.dumps(result, ensure_ascii=False))
                    else:
                        rows.extend((str(result["id"]), hit) for hit in result["hits"])
            except ValidationFailed as exc:
                raise lines.located(exc) from None
    if output == "table":
        _print_hits(rows, title=f"合规检测：{name}", caption=f"共 {records} 条记录，{len({r for r, _ in rows})} 条有违规，共 {found} 处")
    raise typer.Exit(1 if found else 0)


def _check_product_type(value: str | None) -> None:
    from livecommerce.compliance.packs import PRODUCT_TYPES

    if value is not None and value not in PRODUCT_TYPES:
        errors.print(f"[red]--product-type {value!r}: one of {', '.join(PRODUCT_TYPES)}[/red]")
        raise typer.Exit(2)


def _with_type(records: Iterator[Any] | Lines, kind: str) -> Iterator[Any]:
    """The records, each without a product_type of its own given ``kind`` (a record's own type wins)."""
    for raw in records:
        if isinstance(raw, dict) and raw.get("product_type") in (None, ""):
            raw = {**raw, "product_type": kind}
        yield raw


def _position(hit: dict[str, Any]) -> str:
    """Characters counted from 1, both ends included: 第 12–16 字."""
    first, last = hit["start"] + 1, hit["end"]
    return f"第 {first} 字" if first == last else f"第 {first}–{last} 字"


def _print_hits(rows: list[tuple[str, dict[str, Any]]], title: str, caption: str = "", with_id: bool = True) -> None:
    from livecommerce.compliance.packs import CATEGORIES, SEVERITIES

    shown = Table(title=title, caption=caption, show_lines=True, title_justify="left")
    for header in (("id",) if with_id else ()) + ("位置", "原文", "类别", "严重程度", "法律依据", "建议"):
        shown.add_column(header, overflow="fold", no_wrap=header in ("位置", "严重程度"))
    for ident, hit in rows:
        cells = [
            _position(hit),
            hit["text"],
            CATEGORIES.get(hit["category"], hit["category"]),
            SEVERITIES.get(hit["severity"], hit["severity"]),
            hit["law"],
            hit["suggestion"],
        ]
        shown.add_row(*(([ident] if with_id else []) + [Text(cell) for cell in cells]))
    console.print(shown)


def marked(text: str, hits: list[dict[str, Any]]) -> Text:
    """The text with 【】 around each run of hit text (styled by the gravest severity on a terminal)."""
    from livecommerce.compliance.marking import pieces, worst

    spans = [(h["start"], h["end"]) for h in hits]
    parts = pieces(text, spans)
    out = Text()
    for index, piece in enumerate(parts):
        if not piece.hits:
            out.append(piece.text)
            continue
        style = STYLES.get(worst([hits[i]["severity"] for i in piece.hits]), "bold")
        if index == 0 or not parts[index - 1].hits:
            out.append("【", style="bold red")
        out.append(piece.text, style=style)
        if index + 1 == len(parts) or not parts[index + 1].hits:
            out.append("】", style="bold red")
    return out


@app.command("check")
def check_command(
    text: Annotated[str, typer.Argument(help="The text to check: a script, a title, a line of a transcript.")],
    packs: Packs = None,
    output: Annotated[
        str, typer.Option("--format", help='table (the text with 【】 around each hit, then the hits) or json ({"hits": [...]}).')
    ] = "table",
    product_type: ProductTypeOption = None,
) -> None:
    """Check one text and show it with each hit marked 【】. Exit 0 when clean, 1 when anything was found, 2 on a
    wrong option (an unknown --product-type names the allowed ones)."""
    from livecommerce.compliance import service

    _check_format(output, ("table", "json"))
    _check_product_type(product_type)
    with answering(errors):
        hits = [hit.to_json() for hit in service.scan(text, product_type, _packs(packs))]
    if output == "json":
        typer.echo(json.dumps({"hits": hits}, ensure_ascii=False, indent=1))
    elif not hits:
        console.print(Text(text))
        console.print("[green]未发现违规用语[/green]")
    else:
        console.print(marked(text, hits))
        _print_hits([("", hit) for hit in hits], title=f"共 {len(hits)} 处{_by_category(hits)}", with_id=False)
    raise typer.Exit(1 if hits else 0)


def _by_category(hits: list[dict[str, Any]]) -> str:
    from collections import Counter

    from livecommerce.compliance.packs import CATEGORIES

    counts = Counter(hit["category"] for hit in hits)
    return "：" + "，".join(f"{CATEGORIES.get(c, c)} {n} 处" for c, n in counts.items())


@app.command("packs")
def packs_command(
    output: Annotated[str, typer.Option("--format", help="table or json (every rule of every pack).")] = "table",
) -> None:
    """The rule packs loaded (built-in and the department's own): edition, in force from, and rules per category."""
    from collections import Counter

    from livecommerce.compliance import service
    from livecommerce.compliance.packs import CATEGORIES

    _check_format(output, ("table", "json"))
    with answering(errors):
        packs = service.packs_table()
    if output == "json":
        typer.echo(json.dumps(packs, ensure_ascii=False, indent=1))
        return
    shown = Table(title="规则包", show_lines=True, title_justify="left")
    for header in ("规则包", "名称", "版本", "生效日期", "来源", "规则数", "按类别", "例外"):
        shown.add_column(header, overflow="fold", justify="right" if header in ("规则数", "例外") else "left")
    for pack in packs:
        counts = Counter(rule["category"] for rule in pack["rules"])
        by_category = "\n".join(f"{CATEGORIES[c]} ({c}) {counts[c]}" for c in CATEGORIES if counts[c])
        exceptions = len(pack["exceptions"]) + sum(len(rule["exceptions"]) for rule in pack["rules"])
        shown.add_row(
            pack["name"],
            pack["title"],
            pack["version"],
            pack["effective_from"] or "—",
            ORIGINS.get(pack["origin"], pack["origin"]),
            str(len(pack["rules"])),
            by_category,
            str(exceptions),
        )
    console.print(shown)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="compliance")
