"""Validation of feed rows, compiled to DuckDB SQL so that millions of rows are checked in one vectorised pass.

For every column of a feed, ``column_sql`` gives two expressions over the raw text of the source column: the typed
value, and a list of problems (column, value, rule). The rules are those of DESIGN.md "Feeds" and "Conventions";
the rule texts are what a clerk reads in the rejected-rows file, in English with the Chinese beside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from livecommerce.reference import codes
from livecommerce.reference.history import history
from livecommerce.reference.regions import current_code, regions
from livecommerce.warehouse.feeds import Column, Feed
from livecommerce.warehouse.schema import ident

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

CODE_LISTS = {
    "platform": codes.PLATFORMS,
    "category": codes.CATEGORIES,
    "channel": codes.CHANNELS,
    "cross_border": codes.CROSS_BORDER,
    "entity_kind": codes.ENTITY_KINDS,
}

# Personal columns that exports mask (138****5678, 张**): a masked value is refused, never loaded as data.
MASKABLE = frozenset({"phone", "real_name", "id_number", "consumer_phone", "consumer_name"})
RULES = {
    "required": "is required (必填)",
    "too_long": "is longer than {n} characters (超过{n}个字符)",
    "masked": "is a masked value; enter the whole value (已脱敏的值，请填写完整信息)",
    "code": "is not a {what}: use one of {options} (代码或中文名称)",
    "region": "is not a region code of Heilongjiang (GB/T 2260 黑龙江省行政区划代码)",
    "code6": "is not a 6-digit region code (6位行政区划代码)",
    "bool": "is not a boolean: true/false, 1/0, 是/否, Y/N (布尔值)",
    "number": "is not a number (数值格式错误)",
    "negative": "must be ≥ 0 (不得为负)",
    "fen": "has more than two decimals (金额最多两位小数)",
    "too_large": "is too large (数值过大)",
    "integer": "is not a whole number (须为整数)",
    "decimal3": "has more than three decimals (最多三位小数)",
    "timestamp": "is not a time: YYYY-MM-DD HH:MM:SS, optionally with an offset such as +08:00 (时间格式错误)",
    "date": "is not a date: YYYY-MM-DD (日期格式错误)",
    "year": "lies outside the years 2000-2100 (年份超出范围)",
    "uscc": "is not a valid 统一社会信用代码 (18 characters, check digit per GB 32100-2015)",
    "scope": "lies outside your data scope (超出数据权限范围)",
}


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


TRIMMED_TYPES = ("text", "code6")


def raw_text(source: str | None, trim: bool = True) -> str:
    """The raw value of a source column as text, NULL when empty; without surrounding spaces when ``trim``.

    Trimming costs a sixth of a load, so it is done where the rule needs it: free text and identifiers (keys must
    match). Codes are looked up as given and trimmed only when that fails; numbers, dates and times are parsed
    by casts that ignore surrounding spaces.
    """
    if source is None:
        return "CAST(NULL AS VARCHAR)"
    text = f"CAST({ident(source)} AS VARCHAR)"
    if not trim:
        return f"NULLIF({text}, '')"
    return f"CASE WHEN prefix({text}, ' ') OR suffix({text}, ' ') THEN NULLIF(trim({text}), '') ELSE NULLIF({text}, '') END"


@dataclass(frozen=True)
class Check:
    """One rule on one column: a SQL condition over the staging names that is true when the rule is broken."""

    column: str
    condition: str
    rule: str
    value: str  # SQL of the offending value shown to the user
    deferred: bool = False  # checked once per distinct value after staging (costly rules on repetitive values)

    def over(self, name: str) -> str:
        """The condition written over one plain value called ``name`` (for a deferred check)."""
        return self.condition.replace(ident("r_" + self.column), name).replace(ident("v_" + self.column), name)


@dataclass
class CompiledColumn:
    """One feed column compiled to SQL: its raw text, its typed value, helper values, and its checks."""

    name: str
    raw: str
    value: str
    checks: list[Check] = field(default_factory=list)
    typed: bool = False  # the source column has the right type already and passes through under its own name


def lookup_sql(key: str, spellings: dict[str, str]) -> str:
    """SQL of the value ``spellings`` gives the text ``key``, NULL when it has none: ``key`` cast to an ENUM of the
    spellings (a hash look-up of the exact text) and the member's position read in a list of the values.

    A MAP literal gives the same answers, but DuckDB takes about 13 ms to plan one of the regions' 588 entries, a
    statement holds some twenty, and its look-up costs three times as much per row."""
    keys = sorted(spellings)
    members = ", ".join(quote(k) for k in keys)
    values = ", ".join(quote(spellings[k]) for k in keys)
    return f"[{values}][CAST(enum_code(TRY_CAST({key} AS ENUM({members}))) AS INTEGER) + 1]"


def _map_lookup(raw: str, spellings: dict[str, str]) -> str:
    """Look a spelling up (lower-case keys); the trimmed text only where the text as given has no entry."""
    # COALESCE evaluates its second argument only where the first is NULL: trim() runs on misses alone
    return f"COALESCE({lookup_sql(f'lower({raw})', spellings)}, {lookup_sql(f'lower(trim({raw}))', spellings)})"


def region_spellings() -> dict[str, str]:
    """Codes, 全称, unique 简称 and 市+区 names of Heilongjiang's regions → code (lower-case keys); a retired code or
    name with one successor → the successor's current code."""
    spellings = _current_spellings()
    for key, old_code in retired_region_spellings().items():
        spellings[key] = current_code(old_code) or ""
    return spellings


def _current_spellings() -> dict[str, str]:
    """Codes, 全称, unique 简称 and 市+区 names of the current regions → code (lower-case keys)."""
    table = regions()
    spellings: dict[str, str] = {}
    for region in table:
        for name in (region.code, region.name, region.short_name, table.full_name(region.code)):
            try:
                spellings[name.lower()] = table.find(name).code
            except Exception:  # noqa: S112 - an ambiguous short name (向阳区) is simply not accepted
                continue
    return spellings


def retired_region_spellings() -> dict[str, str]:
    """Retired codes and names that are no current spelling → the retired code (lower-case keys).

    A split one (乌马河区 230711) has no single successor and is left out: it stays rejected.
    """
    current = _current_spellings()
    retired: dict[str, str] = {}
    for code, entries in history().by_code.items():
        if current_code(code):
            for key in (code, entries[0].old_name.lower()):
                if key not in current:
                    retired.setdefault(key, code)
    return retired


RETIRED_PREFIX = "__retired_"  # staging's helper column: the retired code a region cell was written as, else NULL


def retired_helper(column: CompiledColumn, present: bool) -> str:
    """The retired code a region column's cell names (by code or by name), else NULL; NULL too for an absent column.

    The look-up runs only where the stored value differs from the cell (a name, a retired code, a padded code), so a
    file of current codes pays one comparison per row.
    """
    name = ident(RETIRED_PREFIX + column.name)
    if not present or column.typed:
        return f"CAST(NULL AS VARCHAR) AS {name}"
    r, v = ident("r_" + column.name), ident("v_" + column.name)
    return f"CASE WHEN {v} <> {r} THEN {lookup_sql(f'lower(trim({r}))', retired_region_spellings())} END AS {name}"


NUMERIC_TYPES = (
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
    "REAL",
    "BIGINT",
    "INTEGER",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
)
INTEGER_TYPES = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")


def _typed_source(column: Column, source: str | None, source_type: str | None) -> CompiledColumn | None:
    """A Parquet (or JSON) column that already has the right type is used as it is, without a trip through text."""
    if source is None or not source_type:
        return None
    base = source_type.upper().split("(")[0]
    n, src = column.name, ident(source)
    v = ident(f"v_{n}")
    compiled = CompiledColumn(n, src, "", typed=True)
    show = f"CAST({src} AS VARCHAR)"

    def check(condition: str, rule: str) -> None:
        compiled.checks.append(Check(n, condition, rule, show))

    if column.type in ("money", "decimal") and base in NUMERIC_TYPES:
        places, rule = (2, "fen") if column.type == "money" else (3, "decimal3")
        compiled.value = f"TRY_CAST({src} AS DECIMAL(18,{places}))"
        check(f"{src} IS NOT NULL AND {v} IS NULL", RULES["too_large"])
        check(f"{src} < 0", RULES["negative"])
        if base not in INTEGER_TYPES:
            check(f"{src} <> round({src}, {places})", RULES[rule])
    elif column.type == "int" and base in INTEGER_TYPES:
        compiled.value = f"CAST({src} AS BIGINT)"
        check(f"{src} < 0", RULES["negative"])
    elif column.type == "timestamp" and base in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"):
        compiled.value = f"CAST({src} AS TIMESTAMP)"  # a naive timestamp is Shanghai wall time already
        check(f"year({v}) NOT BETWEEN 2000 AND 2100", RULES["year"])
    elif column.type == "timestamp" and base == "TIMESTAMP WITH TIME ZONE":
        compiled.value = f"CAST({src} AS TIMESTAMP)"  # the session time zone is Asia/Shanghai
        check(f"year({v}) NOT BETWEEN 2000 AND 2100", RULES["year"])
    elif column.type == "date" and base == "DATE":
        compiled.value = src
    elif column.type == "bool" and base == "BOOLEAN":
        compiled.value = src
    else:
        return None
    if column.required:
        compiled.checks.insert(0, Check(n, f"{src} IS NULL", RULES["required"], "CAST(NULL AS VARCHAR)"))
    if column.default not in (None, ""):
        compiled.value = f"COALESCE({compiled.value}, {_default_literal(column)})"
    return compiled


def _default_literal(column: Column) -> str:
    kind = column.type
    if kind in ("money", "decimal"):
        return f"CAST({quote(str(column.default))} AS DECIMAL(18,{2 if kind == 'money' else 3}))"
    if kind == "int":
        return f"CAST({quote(str(column.default))} AS BIGINT)"
    if kind == "bool":
        return f"CAST({quote(str(column.default))} AS BOOLEAN)"
    return quote(str(column.default))


def compile_column(column: Column, raw_source: str, source: str | None = None, source_type: str | None = None) -> CompiledColumn:
    """SQL for one column: names r_<n> (raw text) and v_<n> (typed value) are staging columns."""
    typed = _typed_source(column, source, source_type)
    if typed is not None:
        return typed
    n = column.name
    raw, value_name = f"r_{n}", f"v_{n}"
    raw_sql = raw_source
    if column.default not in (None, ""):
        raw_sql = f"COALESCE({raw_source}, {quote(str(column.default))})"
    compiled = CompiledColumn(n, raw_sql, raw)
    r, v = ident(raw), ident(value_name)

    def check(condition: str, rule: str) -> None:
        compiled.checks.append(Check(n, condition, rule, r))

    if column.required:
        check(f"{r} IS NULL", RULES["required"])
    kind = column.type
    if kind == "text":  # the quote our exports put before a formula-looking cell (OWASP) is taken off again
        compiled.value = f"CASE WHEN starts_with({r}, '''') AND regexp_matches({r}, '^''[=+@\\t\\r-]') THEN substr({r}, 2) ELSE {r} END"
        check(f"length({r}) > {column.max_length}", RULES["too_long"].format(n=column.max_length))
        if n in MASKABLE:  # a rejected.csv corrected by someone who saw it masked must not load 138****5678
            check(f"contains({r}, '*')", RULES["masked"])
    elif kind.startswith("code:") or kind in ("region", "bool"):
        if kind == "region":
            spellings, rule = region_spellings(), RULES["region"]
        elif kind == "bool":
            spellings = {k: "true" for k in codes.BOOLEAN_TRUE} | {k: "false" for k in codes.BOOLEAN_FALSE}
            rule = RULES["bool"]
        else:
            code_list = CODE_LISTS[kind[5:]]
            spellings = code_list.spellings()
            options = ", ".join(f"{e.code or '空'}/{e.name}" for e in code_list)
            rule = RULES["code"].format(what=code_list.name, options=options)
        lookup = _map_lookup(r, spellings)
        compiled.value = f"CAST({lookup} AS BOOLEAN)" if kind == "bool" else lookup
        if kind == "code:cross_border":
            compiled.value = f"COALESCE({lookup}, '')"
        check(f"{r} IS NOT NULL AND {v} IS NULL" if kind != "code:cross_border" else f"{r} IS NOT NULL AND {lookup} IS NULL", rule)
    elif kind == "code6":
        compiled.value = r
        check(f"NOT regexp_full_match({r}, '[1-9][0-9]{{5}}')", RULES["code6"])
    elif kind in ("money", "decimal"):
        # Exact decimal parse; the count of digits after the point (trailing zeros aside) is checked on the text,
        # which costs a tenth of a regular expression.
        places, rule = (2, "fen") if kind == "money" else (3, "decimal3")
        compiled.value = f"TRY_CAST(replace({r}, ',', '') AS DECIMAL(18,{places}))"
        check(f"{r} IS NOT NULL AND {v} IS NULL", RULES["number"])
        check(f"{v} < 0", RULES["negative"])
        # rtrim (a new string) only where the text has more than ``places`` characters after its point at all
        decimals = f"length({r}) - strpos({r}, '.') > {places}"
        check(
            f"strpos({r}, '.') > 0 AND CASE WHEN {decimals} THEN length(rtrim({r}, '0 ')) - strpos({r}, '.') > {places} ELSE FALSE END",
            RULES[rule],
        )
    elif kind == "int":
        compiled.value = f"TRY_CAST({r} AS BIGINT)"
        check(f"{r} IS NOT NULL AND {v} IS NULL", RULES["integer"])
        check(f"{v} < 0", RULES["negative"])
    elif kind == "timestamp":
        # A naive time is Asia/Shanghai; an offset (Z, +08:00, -0100) is honoured, and the instant is stored as
        # Shanghai wall time: 2025-01-31T16:30:00Z → 2025-02-01 00:30:00. Offsets can only follow the date part.
        # (spaces around the text only move the offset further right, so the test holds untrimmed)
        offset = f"(contains({r}, 'Z') OR contains({r}, 'z') OR contains(substr({r}, 11), '+') OR contains(substr({r}, 11), '-'))"
        dashed = f"CASE WHEN contains({r}, '/') THEN replace({r}, '/', '-') ELSE {r} END"
        compiled.value = (
            f"CASE WHEN {offset} THEN CAST(TRY_CAST({dashed} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST({dashed} AS TIMESTAMP) END"
        )
        check(f"{r} IS NOT NULL AND {v} IS NULL", RULES["timestamp"])
        check(f"year({v}) NOT BETWEEN 2000 AND 2100", RULES["year"])
    elif kind == "date":
        compiled.value = f"TRY_CAST(replace({r}, '/', '-') AS DATE)"
        check(f"{r} IS NOT NULL AND {v} IS NULL", RULES["date"])
        check(f"year({v}) NOT BETWEEN 1900 AND 2100", RULES["year"])
    elif kind == "uscc":
        compiled.value = f"upper(replace(replace({r}, ' ', ''), '-', ''))"
        compiled.checks.append(Check(n, f"{r} IS NOT NULL AND NOT {uscc_valid_sql(v)}", RULES["uscc"], r, deferred=True))
    else:
        raise ValueError(f"unknown column type {kind!r}")
    return compiled


def uscc_valid_sql(code: str) -> str:
    """SQL that is true when ``code`` is a valid USCC: the rule of stdnum.cn.uscc.validate, vectorised."""
    alphabet = quote(USCC_ALPHABET)
    total = " + ".join(f"(strpos({alphabet}, substr({code}, {i + 1}, 1)) - 1) * {weight}" for i, weight in enumerate(USCC_WEIGHTS))
    return (
        f"(regexp_full_match({code}, '[0-9]{{8}}[0-9A-HJ-NPQRTUWXY]{{10}}') AND "
        f"substr({alphabet}, ((31 - (({total}) % 31)) % 31) + 1, 1) = substr({code}, 18, 1))"
    )


class CompiledFeed:
    """A feed compiled for one source: the staging SELECT (typed values and a __bad flag) and the problem list.

    Staging keeps only typed values and one boolean per row; the detailed problems — which column, which value,
    which rule — are computed again only for the few rejected rows (``problems_select``).
    """

    def __init__(self, feed: Feed, mapping: dict[str, str], extra: list[Check] | None = None, types: dict[str, str] | None = None) -> None:
        self.feed = feed
        types = types or {}
        self.columns = [
            compile_column(
                c, raw_text(mapping.get(c.name), c.type in TRIMMED_TYPES), mapping.get(c.name), types.get(mapping.get(c.name) or "")
            )
            for c in feed.columns
        ]
        self.cross = [
            Check(column, f"NOT COALESCE({condition}, TRUE)", rule, f"CAST({ident('v_' + column)} AS VARCHAR)")
            for column, condition, rule in _typed_names(feed)
        ]
        self.extra = extra or []
        self.retired = [
            retired_helper(compiled, column.name in mapping)  # one per region column, the same in every file
            for column, compiled in zip(feed.columns, self.columns, strict=True)
            if column.type == "region"
        ]

    def _layers(self, relation: str, passthrough: str = "") -> str:
        # a typed source column (value written over the source itself) has no raw-text column
        raws = ", ".join(c.raw if c.typed else f"{c.raw} AS {ident('r_' + c.name)}" for c in self.columns) + passthrough
        values = ", ".join(f"{c.value} AS {ident('v_' + c.name)}" for c in self.columns)
        return f"SELECT *, {values} FROM (SELECT {raws} FROM {relation})"

    def _single(self) -> list[Check]:
        return [check for c in self.columns for check in c.checks]

    def deferred_checks(self) -> list[Check]:
        """The rules tested once per distinct value after staging (see ingest.service._settle)."""
        return [check for check in self._single() if check.deferred]

    def stage_select(self, relation: str, file_index: int, *, deferred: bool = False) -> str:
        """Typed columns under their feed names, __file, __bad (any rule broken; the deferred ones too when
        ``deferred``) and the retired-region helpers (RETIRED_PREFIX + column)."""
        single = " OR ".join(f"COALESCE({c.condition}, FALSE)" for c in self._single() if deferred or not c.deferred) or "FALSE"
        later = " OR ".join(f"COALESCE({c.condition}, FALSE)" for c in self.cross + self.extra) or "FALSE"
        typed = ", ".join(f"{ident('v_' + c.name)} AS {ident(c.name)}" for c in self.columns)
        helpers = "".join(", " + helper for helper in self.retired)
        return f"SELECT {typed}, {file_index} AS __file, ({single}) OR ({later}) AS __bad{helpers} FROM ({self._layers(relation)})"

    def problems_select(self, relation: str, passthrough: str = "") -> str:
        """For every row of ``relation``: the list of broken rules (column, value, rule), in column order.

        Cross-column checks and scope are reported only for rows whose single values are all valid, so that one
        bad amount is reported once.
        """

        def items(checks: list[Check]) -> str:
            return ", ".join(
                f"CASE WHEN COALESCE({c.condition}, FALSE) THEN {{'column': {quote(c.column)}, "
                f"'value': CAST({c.value} AS VARCHAR), 'rule': {quote(c.rule)}}} END"
                for c in checks
            )

        single = f"list_filter([{items(self._single())}], lambda p: p IS NOT NULL)"
        later = self.cross + self.extra
        layers = self._layers(relation, passthrough)
        keep = passthrough.lstrip(", ")
        keep = keep + ", " if keep else ""
        if not later:
            return f"SELECT {keep}{single} AS problems FROM ({layers})"
        rest = f"list_filter([{items(later)}], lambda p: p IS NOT NULL)"
        return f"SELECT {keep}CASE WHEN len(s) > 0 THEN s ELSE {rest} END AS problems FROM (SELECT *, {single} AS s FROM ({layers}))"


def _typed_names(feed: Feed) -> list[tuple[str, str, str]]:
    """The feed's cross-column checks rewritten over the typed staging names (v_<column>)."""
    import re

    names = sorted((c.name for c in feed.columns), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return [(column, pattern.sub(lambda m: ident("v_" + m.group(1)), condition), rule) for column, condition, rule in feed.checks]


def scope_check(condition_over_values: str, column: str) -> Check:
    """The check that a row lies inside the actor's scope (condition written over v_<column> names)."""
    return Check(column, f"NOT COALESCE({condition_over_values}, FALSE)", RULES["scope"], f"CAST({ident('v_' + column)} AS VARCHAR)")
