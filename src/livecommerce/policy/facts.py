"""The facts an award is computed from (申报事实): the entities of an `evaluate` file, checked field by field.

Amounts are decimal strings (or integers) in yuan, never JSON floats; per-year values are keyed by "YYYY". Every
problem names the entity (its position and id), the field, the value and the rule; a file with a problem is refused
whole, so that nothing is paid from half a file. docs/policies.md (Facts) is the public statement of this contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from livecommerce.core.errors import Problem, ValidationFailed
from livecommerce.policy.documents import full_clause_id
from livecommerce.policy.trace import without_gc

KINDS = {
    "enterprise": "企业",
    "individual_business": "个体工商户",
    "cooperative": "农民专业合作社",
    "mcn": "MCN机构",
    "streamer_team": "主播团队",
    "base_operator": "基地(园区)运营方",
    "city_government": "市(地)政府(行署)",
    "county_government": "县(市、区)政府",
    "association": "行业协会",
}
PROJECTS = {
    "quality_project": "优质电商主体新建引领性项目 (EC20 1)",
    "platform": "电商平台建设或升级项目 (EC20 2)",
    "base_upgrade": "电商基地(园区)数转智改项目 (EC20 5)",
    "warehouse": "仓储物流智慧化项目 (EC20 8)",
    "cross_border_warehouse": "跨境集货仓、前置仓、海外智能仓 (EC20 8)",
}
YEARLY_AMOUNTS = (
    "local_physical_online_retail",
    "physical_online_retail",
    "event_investment",
    "independent_site_trade",
    "independent_site_costs",
    "platform_store_trade",
    "platform_store_fees",
    "public_brand_online_retail",
    "provincial_central_warehouse_investment",
    "county_sorting_warehouse_investment",
    "selection_center_driven_sales",
)
YEARLY_COUNTS = ("insured_employees",)
YEARS = (
    "national_demo_enterprise_recognized",
    "provincial_demo_base_recognized",
    "national_demo_base_recognized",
    "provincial_benchmark_base_recognized",
    "provincial_demo_county_recognized",
    "out_of_province_carrier_recognized",
    "national_market_supervision_demo_zone_recognized",
)
AMOUNTS = ("fixed_asset_investment_last_3_years", "out_of_province_carrier_investment")
FLAGS = ("quality_ecommerce_entity",)
LISTS = ("loans", "interest_subsidies_received", "awards_received")
FACT_NAMES = frozenset(YEARLY_AMOUNTS + YEARLY_COUNTS + YEARS + AMOUNTS + FLAGS + LISTS)
ENTITY_FIELDS = frozenset({"id", "name", "kind", "in_province", "above_quota", "call_center", "region", "uscc", "facts"})
YEAR_KEY = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Loan:
    """A bank loan (银行贷款) of a project, the basis of an interest subsidy (贴息)."""

    principal: Decimal
    drawn_on: date
    repaid_on: date | None
    contract_rate: Decimal
    project: str
    project_total_investment: Decimal
    label: str


@dataclass
class Entity:
    """One applicant (申报主体) and its facts."""

    id: str
    name: str
    kind: str
    in_province: bool = True
    above_quota: bool = False
    call_center: bool = False
    region: str | None = None
    uscc: str | None = None
    yearly: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    loans: tuple[Loan, ...] = ()
    subsidies_received: dict[str, Decimal] = field(default_factory=dict)
    awards_received: frozenset[tuple[str, int]] = frozenset()

    @property
    def given(self) -> frozenset[str]:
        """Names of the facts this entity declares (a clause is considered only when one of its facts is given)."""
        names = set(self.yearly) | set(self.years) | set(self.amounts) | {k for k, v in self.flags.items() if v}
        if self.loans:
            names.add("loans")
        if self.call_center:
            names.add("call_center")
        return frozenset(names)

    def in_year(self, fact: str, year: int) -> Decimal | None:
        return self.yearly.get(fact, {}).get(year)

    def received(self, clause_id: str) -> list[int]:
        return sorted(y for c, y in self.awards_received if c == clause_id)


class Problems:
    """Collects the problems of one payload; each names the item's position (row), the field path and the value."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, row: int | None, where: str, value: Any, rule: str) -> None:
        shown = None if value is None else (value if isinstance(value, str) else repr(value))
        self.problems.append(Problem(rule=rule, column=where, value=shown, row=row, file=self.file))


class _Reader(Problems):
    """The fields of an `evaluate` payload, each parsed or reported."""

    def amount(self, row: int, where: str, raw: Any) -> Decimal | None:
        if isinstance(raw, bool) or isinstance(raw, float) or not isinstance(raw, (str, int)):
            self.fail(row, where, raw, 'an amount is a decimal string in yuan, e.g. "5000000.00" (金额须为字符串, 不可为浮点数)')
            return None
        try:
            value = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            self.fail(row, where, raw, "not an amount (金额格式错误)")
            return None
        if not value.is_finite() or value != value.quantize(Decimal("0.01")):
            self.fail(row, where, raw, "an amount has at most two decimals (金额最多两位小数)")
            return None
        if value < 0:
            self.fail(row, where, raw, "an amount must not be negative (金额不可为负)")
            return None
        return value.quantize(Decimal("0.01"))

    def count(self, row: int, where: str, raw: Any) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).strip().isdigit():
            self.fail(row, where, raw, "a count is a whole number ≥ 0 (须为非负整数)")
            return None
        return int(str(raw).strip())

    def year(self, row: int, where: str, raw: Any) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not YEAR_KEY.match(str(raw).strip()):
            self.fail(row, where, raw, "a year is four digits, e.g. 2025 (年份须为四位数字)")
            return None
        return int(str(raw).strip())

    def flag(self, row: int, where: str, raw: Any) -> bool | None:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "是", "y", "yes"):
            return True
        if text in ("false", "0", "否", "n", "no"):
            return False
        self.fail(row, where, raw, "a boolean is true/false, 1/0, 是/否, Y/N (布尔值)")
        return None

    def day(self, row: int, where: str, raw: Any) -> date | None:
        try:
            return date.fromisoformat(str(raw).strip())
        except (TypeError, ValueError):
            self.fail(row, where, raw, "a date is YYYY-MM-DD (日期格式错误)")
            return None

    def rate(self, row: int, where: str, raw: Any) -> Decimal | None:
        text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
        if text is None:
            self.fail(row, where, raw, 'a rate is a string: a fraction "0.0385" or a percentage "3.85%" (利率)')
            return None
        try:
            value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
        except InvalidOperation:
            self.fail(row, where, raw, 'not a rate: a fraction "0.0385" or a percentage "3.85%" (利率格式错误)')
            return None
        if not (0 <= value < 1):
            self.fail(row, where, raw, 'a rate is a fraction between 0 and 1 ("0.0385") or a percentage ("3.85%")')
            return None
        return value


def _yearly(reader: _Reader, row: int, name: str, raw: Any, count: bool) -> dict[int, Decimal] | None:
    where = f"facts.{name}"
    if not isinstance(raw, dict):
        reader.fail(row, where, raw, 'per-year values are an object keyed by "YYYY" (按年份)')
        return None
    out: dict[int, Decimal] = {}
    for key, value in raw.items():
        if not YEAR_KEY.match(str(key)):
            reader.fail(row, f"{where}.{key}", key, 'a per-year key is a four-digit year, e.g. "2025"')
            continue
        parsed = reader.count(row, f"{where}.{key}", value) if count else reader.amount(row, f"{where}.{key}", value)
        if parsed is not None:
            out[int(key)] = Decimal(parsed)
    return out


def _loans(reader: _Reader, row: int, raw: Any) -> tuple[Loan, ...]:
    if not isinstance(raw, list):
        reader.fail(
            row, "facts.loans", raw, "loans is a list of {principal, drawn_on, repaid_on, contract_rate, project, project_total_investment}"
        )
        return ()
    out = []
    for i, loan in enumerate(raw):
        where = f"facts.loans[{i}]"
        if not isinstance(loan, dict):
            reader.fail(row, where, loan, "a loan is an object")
            continue
        unknown = set(loan) - {"principal", "drawn_on", "repaid_on", "contract_rate", "project", "project_total_investment", "label"}
        for key in sorted(unknown):
            reader.fail(row, f"{where}.{key}", loan[key], "unknown loan field (未知字段)")
        principal = reader.amount(row, f"{where}.principal", loan.get("principal"))
        drawn = reader.day(row, f"{where}.drawn_on", loan.get("drawn_on"))
        repaid = None if loan.get("repaid_on") in (None, "") else reader.day(row, f"{where}.repaid_on", loan.get("repaid_on"))
        rate = reader.rate(row, f"{where}.contract_rate", loan.get("contract_rate"))
        total = reader.amount(row, f"{where}.project_total_investment", loan.get("project_total_investment"))
        project = str(loan.get("project", ""))
        if project not in PROJECTS:
            reader.fail(row, f"{where}.project", loan.get("project"), f"project is one of {', '.join(PROJECTS)}")
        if drawn and repaid and repaid < drawn:
            reader.fail(row, f"{where}.repaid_on", loan.get("repaid_on"), "repaid before it was drawn (还款日早于放款日)")
        if None not in (principal, drawn, rate, total) and project in PROJECTS:
            assert principal is not None and drawn is not None and rate is not None and total is not None
            out.append(Loan(principal, drawn, repaid, rate, project, total, str(loan.get("label") or f"贷款{i + 1}")))
    return tuple(out)


def _facts(reader: _Reader, row: int, raw: Any, entity: Entity) -> None:
    if not isinstance(raw, dict):
        reader.fail(row, "facts", raw, "facts is an object (事实)")
        return
    for name, value in raw.items():
        if name not in FACT_NAMES:
            reader.fail(row, f"facts.{name}", name, "unknown fact; docs/policies.md lists them (未知事实)")
        elif value is None:
            continue
        elif name in YEARLY_AMOUNTS or name in YEARLY_COUNTS:
            parsed = _yearly(reader, row, name, value, name in YEARLY_COUNTS)
            if parsed is not None:
                entity.yearly[name] = parsed
        elif name in YEARS:
            year = reader.year(row, f"facts.{name}", value)
            if year is not None:
                entity.years[name] = year
        elif name in AMOUNTS:
            amount = reader.amount(row, f"facts.{name}", value)
            if amount is not None:
                entity.amounts[name] = amount
        elif name in FLAGS:
            flag = reader.flag(row, f"facts.{name}", value)
            if flag is not None:
                entity.flags[name] = flag
        elif name == "loans":
            entity.loans = _loans(reader, row, value)
        elif name == "interest_subsidies_received":
            if not isinstance(value, dict):
                reader.fail(row, "facts.interest_subsidies_received", value, "an object {clause: amount}")
                continue
            for clause, amount in value.items():
                parsed_amount = reader.amount(row, f"facts.interest_subsidies_received.{clause}", amount)
                if parsed_amount is not None:
                    entity.subsidies_received[full_clause_id(clause)] = parsed_amount
        elif name == "awards_received":
            received = set()
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                if not isinstance(item, dict) or "clause" not in item:
                    reader.fail(row, f"facts.awards_received[{i}]", item, "each award received is {clause, year}")
                    continue
                year = reader.year(row, f"facts.awards_received[{i}].year", item.get("year"))
                if year is not None:
                    received.add((full_clause_id(str(item["clause"])), year))
            entity.awards_received = frozenset(received)


def _entity(reader: _Reader, row: int, raw: Any) -> Entity | None:
    if not isinstance(raw, dict):
        reader.fail(row, "entity", raw, "an entity is an object")
        return None
    for key in sorted(set(raw) - ENTITY_FIELDS):
        reader.fail(row, key, raw[key], "unknown entity field (未知字段)")
    ident = str(raw.get("id", "")).strip()
    if not ident:
        reader.fail(row, "id", raw.get("id"), "every entity has an id")
    kind = str(raw.get("kind", ""))
    if kind not in KINDS:
        reader.fail(row, "kind", raw.get("kind"), f"kind is one of {', '.join(KINDS)}")
    flags = {}
    for name, default in (("in_province", True), ("above_quota", False), ("call_center", False)):
        flags[name] = default if raw.get(name) is None else reader.flag(row, name, raw[name])
    region = raw.get("region")
    if region is not None and not re.fullmatch(r"23\d{4}", str(region)):
        reader.fail(row, "region", region, "a 6-digit region code of the province (230000-232799)")
    entity = Entity(
        id=ident,
        name=str(raw.get("name") or ident),
        kind=kind,
        in_province=bool(flags["in_province"]),
        above_quota=bool(flags["above_quota"]),
        call_center=bool(flags["call_center"]),
        region=str(region) if region is not None else None,
        uscc=str(raw["uscc"]) if raw.get("uscc") else None,
    )
    _facts(reader, row, raw.get("facts", {}), entity)
    return entity


def read_payload(payload: Any, file: str | None = None) -> tuple[int, list[Entity]]:
    """The year and entities of an `evaluate` payload; ValidationFailed lists every problem found."""
    reader = _Reader(file)
    if not isinstance(payload, dict):
        raise ValidationFailed(
            'the file holds one object {"year": …, "entities": […]}', [Problem('the file holds one object {"year", "entities"}', file=file)]
        )
    for key in sorted(set(payload) - {"year", "entities"}):
        reader.fail(None, key, payload[key], "unknown top-level field; expected year and entities")
    year = reader.year(0, "year", payload.get("year"))
    entities: list[Entity] = []
    raw_entities = payload.get("entities")
    if not isinstance(raw_entities, list):
        reader.fail(None, "entities", raw_entities, "entities is a list")
        raw_entities = []
    seen: dict[str, int] = {}
    with without_gc():
        for row, raw in enumerate(raw_entities, start=1):
            entity = _entity(reader, row, raw)
            if entity is None:
                continue
            if entity.id and entity.id in seen:
                reader.fail(row, "id", entity.id, f"duplicate id; entity {seen[entity.id]} has it already (重复的主体编号)")
            seen.setdefault(entity.id, row)
            entities.append(entity)
    if reader.problems:
        named = [
            Problem(
                rule=(f"entity {_ident(raw_entities, p.row)}: {p.rule}" if p.row else p.rule),
                column=p.column,
                value=p.value,
                row=p.row,
                file=p.file,
            )
            for p in reader.problems
        ]
        raise ValidationFailed(f"{len(named)} problem(s) in the facts; nothing was evaluated", named)
    assert year is not None
    return year, entities


def _ident(raw_entities: list[Any], row: int | None) -> str:
    if row is None or row < 1 or row > len(raw_entities) or not isinstance(raw_entities[row - 1], dict):
        return f"#{row}"
    return f"#{row} ({raw_entities[row - 1].get('id', '?')})"
