"""The table framework of every list page and export (DESIGN.md "The console": tables filter, sort, page and export to
XLSX the same way everywhere; issue 15 point 3).

A list is declared once as a ``Table``:

- its ``columns``: ``TableColumn`` is the single writer's ``Column`` (key, Chinese header, unit, kind, personal data,
  width) with what a list page needs besides — ``sortable`` (and the name the ``sort`` parameter gives it, and the row
  field it sorts by in memory), ``summed`` (a 合计 over the whole filtered list, not the page) and ``shown`` (the kind
  the page shows when it differs from the file's: the award list shows 万元 on the page and keeps exact 元 in the file);
- its ``filters``: ``Filter`` is one query parameter (text, a choice among declared values, or a true/false flag),
  with the row field it tests when the table filters in memory (a filter without one is applied by the caller, e.g.
  passed to a service that narrows its SQL);
- its default sort and page size.

``Table.parse`` turns query parameters into a ``TableQuery`` (filters, sort key and direction, page, page size),
bounded: an unknown sort key, a choice outside its values, a flag that is not true/false, a page that is not a
number from 1 are refused with ``ValidationFailed`` naming the parameter, the value and the rule (the web layer
answers 422). ``Table.page_of`` applies a query to rows in memory; ``Table.select_page`` to a SQLAlchemy ``Select``
(one statement for the count and the sums of the whole filtered set, one for the page). Both give a ``Page`` (rows,
total, page, pages, sums) that templates render with the macros of ``_table.html`` (header with sort links, cells,
sum row, pager). ``Table.to_sheet`` gives the writer's ``Sheet`` of the same columns, headers and units, so the XLSX
of a list is the list.

core sits at the bottom: this module knows no domain and imports only core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select, func
from sqlalchemy.orm import Session

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.core.web.params import MAX_LIMIT, MAX_PAGE
from livecommerce.core.web.writer import Column, Sheet

R = TypeVar("R")
FILTER_KINDS = ("text", "choice", "flag")
MATCHES = ("exact", "contains", "prefix")
FLAGS = {"true": True, "false": False}


@dataclass(frozen=True)
class TableColumn(Column):
    """A column of a list: the writer's column (key, header, unit, kind, personal, width) and how the page uses it."""

    sortable: bool = False
    summed: bool = False
    sort_name: str = ""  # the value of the ``sort`` parameter (default: the key)
    sort_field: str = ""  # the row field sorted by in memory (default: the key)
    shown: str = ""  # the kind the page shows, when it differs from the file's ("wan": yuan shown in 万元)

    @property
    def sort_as(self) -> str:
        """The name of this column in the ``sort`` parameter."""
        return self.sort_name or self.key

    @property
    def page_kind(self) -> str:
        """How the page shows a cell (a writer kind)."""
        return self.shown or self.kind

    @property
    def page_title(self) -> str:
        """The header on the page: the file's, or 「名称（万元）」 when the page shows yuan in 万元."""
        if self.shown == "wan" and self.kind != "wan":
            return f"{self.header}（万元）"
        return self.title

    @property
    def numeric(self) -> bool:
        return self.page_kind in ("int", "decimal", "money", "wan", "percent")


@dataclass(frozen=True)
class Filter:
    """One filter of a list: its query parameter, its Chinese label, what it accepts and the row field it tests."""

    name: str
    label: str
    kind: str = "text"  # text | choice (one of ``choices``) | flag (true / false)
    choices: tuple[str, ...] = ()
    default: str = ""  # the value when the parameter is absent or empty (kept out of links)
    field: str = ""  # the row field tested in memory; empty: the caller applies it
    match: str = "exact"  # exact | contains | prefix (text filters in memory)
    max_length: int = 100

    def __post_init__(self) -> None:
        if self.kind not in FILTER_KINDS:
            raise ValueError(f"filter {self.name}: kind {self.kind!r} is not one of {', '.join(FILTER_KINDS)}")
        if self.match not in MATCHES:
            raise ValueError(f"filter {self.name}: match {self.match!r} is not one of {', '.join(MATCHES)}")

    def problem(self, value: str) -> Problem | None:
        """Why the value is refused, or None."""
        if len(value) > self.max_length:
            return Problem(f"至多 {self.max_length} 个字符", self.name, value[:40])
        if self.kind == "choice" and self.choices and value not in self.choices:
            return Problem(f"应为以下之一：{'、'.join(self.choices)}", self.name, value)
        if self.kind == "flag" and value not in FLAGS:
            return Problem("应为 true 或 false", self.name, value)
        return None

    def keeps(self, cell: Any, value: str) -> bool:
        """Whether a row whose field holds ``cell`` passes this filter at ``value`` (in memory)."""
        if self.kind == "flag":
            return bool(cell) == FLAGS[value]
        text = "" if cell is None else str(cell)
        if self.match == "contains":
            return value.casefold() in text.casefold()
        if self.match == "prefix":
            return text.startswith(value)
        return text == value


@dataclass(frozen=True)
class TableQuery:
    """A parsed, bounded query of a list: filter values (only those given or defaulted), sort, page and page size."""

    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = ""  # a column's sort name; empty: the caller's order
    descending: bool = False
    page: int = 1
    page_size: int = 50
    path: str = ""  # the page's path, for links
    defaults: Mapping[str, str] = field(default_factory=dict)  # values kept out of links
    carry: tuple[tuple[str, str], ...] = ()  # parameters of the page the table does not declare, kept in its links

    def get(self, name: str) -> str:
        """A filter's value ('' when none)."""
        return self.filters.get(name, "")

    def flag(self, name: str) -> bool | None:
        """A flag filter's value: True, False or None (no filter)."""
        return FLAGS.get(self.get(name))

    def value(self, name: str) -> str | None:
        """A filter's value or None: what a service function takes."""
        return self.get(name) or None

    @property
    def sort_param(self) -> str:
        """The ``sort`` parameter of this query: 'amount', '-amount' or ''."""
        return f"-{self.sort}" if self.sort and self.descending else self.sort

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def kept(self) -> dict[str, str]:
        """The filters a link carries: given and not at their default, in the table's order."""
        return {k: v for k, v in self.filters.items() if v and v != self.defaults.get(k, "")}

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this query with some parameters changed (None or '' removes one): filters, sort, page."""
        params: dict[str, Any] = {**self.kept(), "sort": self.sort_param if self.sort_param != self.defaults.get("sort") else ""}
        params["page"] = str(self.page) if self.page > 1 else ""
        params.update(changes)
        return {k: str(v) for k, v in params.items() if v is not None and v != ""}

    def link(self, **changes: Any) -> str:
        """This page's URL with some parameters changed (the carried ones first, as they came)."""
        params = [*((k, v) for k, v in self.carry if k not in changes), *self.params(**changes).items()]
        return self.path + ("?" + urlencode(params) if params else "")

    def sort_link(self, name: str) -> str:
        """The link of a sortable header: ascending first, descending when already ascending; back to page 1."""
        return self.link(sort=f"-{name}" if self.sort == name and not self.descending else name, page=None)

    def sorted_by(self, name: str) -> str:
        """'ascending', 'descending' or 'none' (the header's aria-sort)."""
        if self.sort != name:
            return "none"
        return "descending" if self.descending else "ascending"


@dataclass
class Page(Generic[R]):
    """One page of a list: its rows, the count and sums of the whole filtered list, where it is."""

    rows: list[R]
    total: int
    query: TableQuery
    table: Table
    sums: dict[str, Any] = field(default_factory=dict)
    matched: list[R] = field(default_factory=list)  # every filtered row, when filtered in memory

    @property
    def page(self) -> int:
        return min(self.query.page, self.pages)

    @property
    def page_size(self) -> int:
        return self.query.page_size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def link(self, **changes: Any) -> str:
        return self.query.link(**changes)

    def sort_link(self, name: str) -> str:
        return self.query.sort_link(name)


def field_of(row: Any, name: str) -> Any:
    """A row's field: a mapping's item or an object's attribute (None when it has none)."""
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _sort_value(value: Any) -> tuple[int, Any]:
    """A sort key where None and '' come last whatever the direction is handled by the caller."""
    return (1, "") if value is None or value == "" else (0, value)


@dataclass(frozen=True)
class Table:
    """A list declared once: its title, columns, filters, default sort ('uscc', '-started_at' or '') and page size."""

    title: str
    columns: tuple[TableColumn, ...]
    filters: tuple[Filter, ...] = ()
    default_sort: str = ""
    page_size: int = 50
    sizable: bool = False  # whether ``page_size`` may be given (1 to 1000)

    def column(self, key: str) -> TableColumn:
        return next(c for c in self.columns if c.key == key)

    @property
    def sorts(self) -> dict[str, TableColumn]:
        """The sortable columns by their sort name."""
        return {c.sort_as: c for c in self.columns if c.sortable}

    def default_query(self, path: str = "", carry: Iterable[tuple[str, str]] = ()) -> TableQuery:
        """The query of a page opened without parameters (but those carried)."""
        return self.parse({}, path=path, carry=carry)

    def parse(
        self, params: Mapping[str, str], *, path: str = "", carry: Iterable[tuple[str, str]] = (), strict: bool = False
    ) -> TableQuery:
        """The query of these parameters, or ``ValidationFailed`` naming each refused parameter, value and rule.
        Parameters the table does not declare are left to the caller (``strict``: refused, unless carried); those in
        ``carry`` (the rest of a page's form) are kept in the query's links."""
        carry = tuple(carry)
        problems: list[Problem] = self._unknown(params, carry) if strict else []
        filters: dict[str, str] = {}
        for spec in self.filters:
            value = (params.get(spec.name) or "").strip() or spec.default
            problem = spec.problem(value) if value else None
            if problem:
                problems.append(problem)
            elif value:
                filters[spec.name] = value
        sort = (params.get("sort") or "").strip() or self.default_sort
        if sort.lstrip("-") and sort.lstrip("-") not in self.sorts:
            problems.append(Problem(f"应为以下之一：{'、'.join(self.sorts) or '（无）'}（前加 - 表示降序）", "sort", sort[:40]))
            sort = self.default_sort
        page = _bounded(params.get("page"), "page", 1, MAX_PAGE, problems)
        size = _bounded(params.get("page_size"), "page_size", self.page_size, MAX_LIMIT, problems) if self.sizable else self.page_size
        if problems:
            raise ValidationFailed(refusal_message(problems), problems)
        defaults = {f.name: f.default for f in self.filters if f.default} | {"sort": self.default_sort}
        own = {f.name for f in self.filters} | {"sort", "page", "page_size"}
        kept = tuple((k, v) for k, v in carry if k not in own)
        return TableQuery(filters, sort.lstrip("-"), sort.startswith("-"), page, size, path, defaults, kept)

    def _unknown(self, params: Mapping[str, str], carry: tuple[tuple[str, str], ...]) -> list[Problem]:
        """A problem for each parameter that is neither the table's nor carried."""
        own = [f.name for f in self.filters] + ["sort", "page"] + (["page_size"] if self.sizable else [])
        carried = {k for k, _ in carry}
        rule = f"不是此列表的参数，可用：{'、'.join(own)}"
        return [Problem(rule, name, str(params[name])[:40]) for name in params if name not in own and name not in carried]

    def parse_or_default(
        self, params: Mapping[str, str], *, path: str = "", carry: Iterable[tuple[str, str]] = ()
    ) -> tuple[TableQuery, ValidationFailed | None]:
        """The query, or the default query and why the parameters were refused (a page that shows the reason above
        the whole list instead of an error page)."""
        carry = tuple(carry)
        try:
            return self.parse(params, path=path, carry=carry), None
        except ValidationFailed as exc:
            return self.default_query(path, carry), exc

    # ------------------------------------------------------------------------------------------------ in memory

    def filtered(self, rows: Iterable[R], query: TableQuery) -> list[R]:
        """The rows that pass every filter with a row field."""
        tests = [(spec, query.get(spec.name)) for spec in self.filters if spec.field and query.get(spec.name)]
        return [row for row in rows if all(spec.keeps(field_of(row, spec.field), value) for spec, value in tests)]

    def ordered(self, rows: list[R], query: TableQuery) -> list[R]:
        """The rows in the query's order (stable; empty cells last in either direction); unchanged with no sort."""
        if not query.sort:
            return rows
        name = self.sorts[query.sort].sort_field or self.sorts[query.sort].key
        present = [r for r in rows if field_of(r, name) not in (None, "")]
        empty = [r for r in rows if field_of(r, name) in (None, "")]
        return sorted(present, key=lambda r: field_of(r, name), reverse=query.descending) + empty

    def sums_of(self, rows: Iterable[Any]) -> dict[str, Any]:
        """The summed columns' totals over the rows (exact: ints and Decimals)."""
        summed = [c.key for c in self.columns if c.summed]
        totals: dict[str, Any] = dict.fromkeys(summed, 0)
        for row in rows:
            for key in summed:
                value = field_of(row, key)
                if value is not None:
                    totals[key] += value
        return totals

    def page_of(self, rows: Iterable[R], query: TableQuery) -> Page[R]:
        """Filter, sort, sum and cut one page of rows held in memory."""
        matched = self.ordered(self.filtered(rows, query), query)
        shown = Page[R]([], len(matched), query, self, self.sums_of(matched), matched)
        shown.rows = matched[shown.offset : shown.offset + query.page_size]
        return shown

    def page_from(self, rows: Sequence[R], total: int, query: TableQuery, sums: Mapping[str, Any] | None = None) -> Page[R]:
        """A page a service already cut (its rows, the count of the whole list and its sums)."""
        return Page[R](list(rows), total, query, self, dict(sums or {}))

    # ------------------------------------------------------------------------------------------------ SQL

    def select_page(
        self,
        session: Session,
        statement: Select[Any],
        query: TableQuery,
        *,
        order: Mapping[str, Any],
        where: Mapping[str, Callable[[str], Any]] | None = None,
        sums: Mapping[str, Any] | None = None,
        tiebreak: Sequence[Any] = (),
    ) -> Page[Any]:
        """One page of a statement: the filters' conditions (``where``: filter name → condition of its value), one
        statement counting and summing (``sums``: column key → SQL expression) the whole filtered set, then the
        page in the query's order (``order``: sort name → SQL expression; empty values last) and ``tiebreak``."""
        for name, condition in (where or {}).items():
            if query.get(name):
                statement = statement.where(condition(query.get(name)))
        sums = dict(sums or {})
        counted = statement.with_only_columns(
            func.count(), *(func.coalesce(func.sum(expr), 0) for expr in sums.values()), maintain_column_froms=True
        ).order_by(None)
        figures = session.execute(counted).one()
        shown = Page[Any]([], int(figures[0]), query, self, dict(zip(sums, figures[1:], strict=True)))
        if query.sort:
            expression = order[query.sort]
            statement = statement.order_by(None).order_by((expression.desc() if query.descending else expression.asc()).nulls_last())
        statement = statement.order_by(*tiebreak).offset(shown.offset).limit(query.page_size)
        result = session.execute(statement)
        shown.rows = list(result.scalars() if len(statement.column_descriptions) == 1 else result.all())
        return shown

    # ------------------------------------------------------------------------------------------------ export

    def cells(self, row: Any) -> dict[str, Any]:
        """A row as the writer's mapping of column key → value."""
        return {c.key: field_of(row, c.key) for c in self.columns}

    def to_sheet(
        self, rows: Iterable[Any], *, title: str = "", caption: str = "", totals: Sequence[Mapping[str, Any]] = (), sums: str = ""
    ) -> Sheet:
        """The writer's sheet of these rows: the same columns, headers and units as the page. ``sums`` names the
        column that says 合计 in a total row of the summed columns (computed over the rows written)."""
        columns = [_writer_column(c) for c in self.columns]
        if not sums:
            return Sheet(title or self.title, columns, (self.cells(r) for r in rows), caption, totals)
        written = [self.cells(r) for r in rows]
        total = {sums: "合计", **self.sums_of(written)}
        return Sheet(title or self.title, columns, written, caption, [*totals, total])


def _writer_column(column: TableColumn) -> Column:
    """The writer's own column of a table column (what the file needs, nothing of the page)."""
    return Column(column.key, column.header, column.unit, column.kind, column.personal, column.width)


def refusal_message(problems: list[Problem]) -> str:
    """The refused parameters of a list in one Chinese line: 参数 sort 的值 'nope' 不合规则：应为以下之一：…"""
    return "；".join(f"参数 {p.column} 的值 {p.value!r} 不合规则：{p.rule}" for p in problems)


def _bounded(text: str | None, name: str, default: int, most: int, problems: list[Problem]) -> int:
    """A positive whole number parameter from 1 to ``most``, or the default when absent; a problem otherwise."""
    text = (text or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        problems.append(Problem(f"应为 1 到 {most} 的整数", name, text[:40]))
        return default
    return int(text)


def with_columns(table: Table, *columns: TableColumn, title: str = "") -> Table:
    """The same table with other columns (a list whose columns depend on the question: the stats table)."""
    return replace(table, columns=tuple(columns), title=title or table.title)
