"""Validation of feed rows, compiled to DuckDB SQL so that millions of rows are checked in one vectorised pass.

For every column of a feed, ``column_sql`` gives two expressions over the raw text of the source column: the typed
value, and a list of problems (column, value, rule). The rules are those of DESIGN.md "Feeds" and "Conventions";
the rule texts are what a clerk reads in the rejected-rows file, in English with the Chinese beside.
"""

from __future__ import annotations

from livecommerce.ingest.feeds import Column, Feed
from livecommerce.reference import codes
from livecommerce.reference.regions import regions

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

CODE_LISTS = {
    "platform": codes.PLATFORMS,
    "category": codes.CATEGORIES,
    "channel": codes.CHANNELS,
    "cross_border": codes.CROSS_BORDER,
    "entity_kind": codes.ENTITY_KINDS,
}

RULES = {
    "required": "is required (必填)",
    "too_long": "is longer than {n} characters (超过{n}个字符)",
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
}


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A SQL identifier (double-quoted)."""
    return '"' + name.replace('"', '""') + '"'


def raw_text(source: str | None) -> str:
    """The raw value of a source column as trimmed text, NULL when empty."""
    if source is None:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(trim(CAST({ident(source)} AS VARCHAR)), '')"


def _problem(column: Column, condition: str, raw: str, rule: str) -> str:
    return (f"CASE WHEN {condition} THEN {{'column': {quote(column.name)}, 'value': {raw}, "
            f"'rule': {quote(rule)}}} END")


def _mapping_case(raw: str, spellings: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {quote(k)} THEN {quote(v)}" for k, v in sorted(spellings.items()))
    return f"(CASE lower({raw}) {whens} END)"


def region_spellings() -> dict[str, str]:
    """Codes, 全称, unique 简称 and 市+区 names of Heilongjiang's regions → code (lower-case keys)."""
    table = regions()
    spellings: dict[str, str] = {}
    for region in table:
        for name in (region.code, region.name, region.short_name, table.full_name(region.code)):
            try:
                spellings[name.lower()] = table.find(name).code
            except Exception:  # noqa: S112 - an ambiguous short name (向阳区) is simply not accepted
                continue
    return spellings


def typed_sql(column: Column, raw: str) -> tuple[str, list[str]]:
    """The typed value of one column and the problem expressions that may be raised, given its raw text."""
    kind = column.type
    problems: list[str] = []
    if kind == "text":
        value = raw
        problems.append(_problem(column, f"length({raw}) > {column.max_length}", raw,
                                 RULES["too_long"].format(n=column.max_length)))
    elif kind.startswith("code:"):
        code_list = CODE_LISTS[kind[5:]]
        value = _mapping_case(raw, code_list.spellings())
        options = ", ".join(f"{e.code or '空'}/{e.name}" for e in code_list)
        problems.append(_problem(column, f"{raw} IS NOT NULL AND {value} IS NULL", raw,
                                 RULES["code"].format(what=code_list.name, options=options)))
    elif kind == "region":
        value = _mapping_case(raw, region_spellings())
        problems.append(_problem(column, f"{raw} IS NOT NULL AND {value} IS NULL", raw, RULES["region"]))
    elif kind == "code6":
        value = raw
        problems.append(_problem(column, f"NOT regexp_full_match({raw}, '[1-9][0-9]{{5}}')", raw, RULES["code6"]))
    elif kind == "bool":
        spellings = {k: "true" for k in codes.BOOLEAN_TRUE} | {k: "false" for k in codes.BOOLEAN_FALSE}
        value = f"CAST({_mapping_case(raw, spellings)} AS BOOLEAN)"
        problems.append(_problem(column, f"{raw} IS NOT NULL AND {value} IS NULL", raw, RULES["bool"]))
    elif kind in ("money", "decimal"):
        number = f"TRY_CAST(replace({raw}, ',', '') AS DECIMAL(38,10))"
        places, rule = (2, "fen") if kind == "money" else (3, "decimal3")
        value = f"CAST({number} AS DECIMAL(18,{places}))"
        problems += [
            _problem(column, f"{raw} IS NOT NULL AND {number} IS NULL", raw, RULES["number"]),
            _problem(column, f"{number} < 0", raw, RULES["negative"]),
            _problem(column, f"{number} <> round({number}, {places})", raw, RULES[rule]),
            _problem(column, f"abs({number}) >= 1e15", raw, RULES["too_large"]),
        ]
    elif kind == "int":
        number = f"TRY_CAST({raw} AS BIGINT)"
        value = number
        problems += [
            _problem(column, f"{raw} IS NOT NULL AND {number} IS NULL", raw, RULES["integer"]),
            _problem(column, f"{number} < 0", raw, RULES["negative"]),
        ]
    elif kind == "timestamp":
        # A naive time is read in the session time zone (Asia/Shanghai); an offset is honoured, then the instant
        # is stored as Shanghai wall time: 2025-01-31T16:30:00Z → 2025-02-01 00:30:00.
        value = f"CAST(TRY_CAST(replace({raw}, '/', '-') AS TIMESTAMPTZ) AS TIMESTAMP)"
        problems += [
            _problem(column, f"{raw} IS NOT NULL AND {value} IS NULL", raw, RULES["timestamp"]),
            _problem(column, f"year({value}) NOT BETWEEN 2000 AND 2100", raw, RULES["year"]),
        ]
    elif kind == "date":
        value = f"TRY_CAST(replace({raw}, '/', '-') AS DATE)"
        problems += [
            _problem(column, f"{raw} IS NOT NULL AND {value} IS NULL", raw, RULES["date"]),
            _problem(column, f"year({value}) NOT BETWEEN 1900 AND 2100", raw, RULES["year"]),
        ]
    elif kind == "uscc":
        compact = f"upper(replace(replace({raw}, ' ', ''), '-', ''))"
        value = compact
        problems.append(_problem(column, f"{raw} IS NOT NULL AND NOT {uscc_valid_sql(compact)}", raw, RULES["uscc"]))
    else:
        raise ValueError(f"unknown column type {kind!r}")
    return value, problems


def uscc_valid_sql(code: str) -> str:
    """SQL that is true when ``code`` is a valid USCC: the rule of stdnum.cn.uscc.validate, vectorised."""
    alphabet = quote(USCC_ALPHABET)
    total = " + ".join(
        f"(strpos({alphabet}, substr({code}, {i + 1}, 1)) - 1) * {weight}" for i, weight in enumerate(USCC_WEIGHTS)
    )
    return (f"(regexp_full_match({code}, '[0-9]{{8}}[0-9A-HJ-NPQRTUWXY]{{10}}') AND "
            f"substr({alphabet}, ((31 - (({total}) % 31)) % 31) + 1, 1) = substr({code}, 18, 1))")


def select_sql(feed: Feed, mapping: dict[str, str], file_index: int) -> str:
    """The SELECT list that turns one source's raw columns into typed feed columns plus ``__problems``.

    ``mapping`` maps feed column names to the source's header; absent optional columns take their default.
    """
    values: list[str] = []
    problems: list[str] = []
    for column in feed.columns:
        source = mapping.get(column.name)
        raw = raw_text(source)
        if column.default is not None:
            raw = f"COALESCE({raw}, {quote(column.default)})" if column.default != "" else raw
        value, column_problems = typed_sql(column, raw)
        if column.required:
            column_problems.insert(0, _problem(column, f"{raw} IS NULL", "CAST(NULL AS VARCHAR)", RULES["required"]))
        if column.type == "code:cross_border":
            value = f"COALESCE({value}, '')"
        values.append(f"{value} AS {ident(column.name)}")
        problems += column_problems
    problem_list = "list_filter([" + ", ".join(problems) + "], lambda p: p IS NOT NULL)"
    return ", ".join(values) + f", {file_index} AS __file, {problem_list} AS __problems"


def checks_sql(feed: Feed) -> str | None:
    """Problems from the feed's cross-column checks (refund ≤ paid …), over the typed staging row."""
    if not feed.checks:
        return None
    items = [
        f"CASE WHEN NOT COALESCE({condition}, TRUE) THEN {{'column': {quote(column)}, "
        f"'value': CAST({ident(column)} AS VARCHAR), 'rule': {quote(rule)}}} END"
        for column, condition, rule in feed.checks
    ]
    return "list_filter([" + ", ".join(items) + "], lambda p: p IS NOT NULL)"
