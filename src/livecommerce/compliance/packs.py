"""Rule packs (规则包): YAML files of rules, each with its id, category, severity, legal reference, patterns,
exceptions and suggested wording, dated by the day they take effect. The packs shipped with the platform live in
``compliance/packs/``; a department adds its own in the directory of the setting ``compliance_packs_dir``.
docs/compliance.md describes the format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from livecommerce.core.errors import NotFound, Problem, ValidationFailed
from livecommerce.core.settings import get_settings

CATEGORIES = {
    "absolute": "绝对化用语",
    "state": "国家机关及国家级用语",
    "medical": "医疗功效宣称",
    "health-food": "保健食品违规宣称",
    "guarantee": "功效安全保证",
    "private-trade": "诱导私下交易",
    "fake-data": "虚构交易与评价",
    "red-line": "违法和不良信息",
    "cosmetic": "化妆品超范围宣称",
}
# What a scanned text is about (商品类型). A rule may apply to some of them only, an exception may excuse for some only;
# "unknown" stands for a text scanned without a product type.
PRODUCT_TYPES = {
    "food": "普通食品",
    "health_food": "保健食品",
    "special_medical_food": "特殊医学用途配方食品",
    "cosmetic": "普通化妆品",
    "special_cosmetic": "特殊化妆品",
    "drug": "药品",
    "medical_device": "医疗器械",
    "other": "其他商品",
}
UNKNOWN = "unknown"
SEVERITIES = {"high": "严重", "medium": "较重", "low": "提示"}
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class Law:
    """The legal reference of a rule: 《name》 article item."""

    name: str
    article: str
    item: str = ""

    def __str__(self) -> str:
        return f"《{self.name}》{self.article}{self.item}"


@dataclass(frozen=True)
class Exception_:
    """A phrase that contains a prohibited pattern but is not a violation (追求最好, 最佳食用时间), with its source."""

    pattern: str
    source: str
    categories: tuple[str, ...] = ()
    product_types: tuple[str, ...] = ()  # excuses only a text about one of these (a registered 保健食品's wording)

    def applies(self, product_type: str | None) -> bool:
        """Whether this exception excuses hits in a text about ``product_type`` (None: unknown)."""
        return not self.product_types or (product_type or UNKNOWN) in self.product_types


@dataclass(frozen=True)
class Rule:
    """One prohibited word or claim: what it is, which law it breaks, how it is written, what to say instead."""

    id: str
    pack: str
    category: str
    severity: str
    law: Law
    description: str
    patterns: tuple[str, ...]
    suggestion: str
    pinyin: bool = False
    exceptions: tuple[Exception_, ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None
    product_types: tuple[str, ...] = ()  # the rule applies only to texts about these (empty: every text)
    not_for: tuple[str, ...] = ()  # ... and never to texts about these (medical claims in a drug's own ad)
    claim: Claim | None = None  # a claim made of two parts (a verb and a disease), compliance/claims.py

    def active(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (self.effective_to is None or day <= self.effective_to)

    def applies(self, product_type: str | None) -> bool:
        """Whether the rule applies to a text about ``product_type`` (None: unknown)."""
        key = product_type or UNKNOWN
        return (not self.product_types or key in self.product_types) and key not in self.not_for


@dataclass(frozen=True)
class Claim:
    """A claim of two parts within ``window`` normalised characters: one of ``before`` followed by an object (预防 +
    大肠癌), or an object followed by one of ``after`` (肿瘤 + 变小); objects are ``objects`` and the words of the
    ``lexicons`` named (compliance/data/NAME.txt). ``quantity``: instead of objects, a number with a unit of time
    before the word (十天 … 甩掉) or of amount right after it (瘦 3斤). A word preceded by one of ``negations`` (不能,
    无法 …) within 2 characters makes no claim."""

    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    lexicons: tuple[str, ...] = ()
    window: int = 6
    quantity: bool = False
    negations: tuple[str, ...] = ()
    listed: int = 0  # instead of a verb: this many objects or more in a row, ``window`` characters apart at most (a list)
    units: tuple[str, ...] = ()  # with quantity: the amount must follow in one of these units (年轻 | 10岁); no time alone
    # a claim is no finding when one of these words stands in the same line of the original text (a source named for a
    # figure: 数据来源, 检测报告 — 广告法 第十一条第二款); a line ends at a hard line break, and in scan_many each text is
    # its own line
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    """A versioned rule pack."""

    name: str
    title: str
    version: str
    effective_from: date | None
    source: str
    rules: tuple[Rule, ...]
    exceptions: tuple[Exception_, ...] = ()
    origin: str = "builtin"
    file: str = field(default="", compare=False)


def _day(value: Any, where: str, problems: list[Problem], file: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem("a date is YYYY-MM-DD", column=where, value=str(value), file=file))
        return None


def _exceptions(raw: Any, where: str, problems: list[Problem], file: str) -> tuple[Exception_, ...]:
    out = []
    for i, item in enumerate(raw or []):
        if not isinstance(item, dict) or not item.get("pattern") or not item.get("source"):
            problems.append(Problem("an exception is {pattern, source[, categories]}", column=f"{where}[{i}]", value=str(item), file=file))
            continue
        types = tuple(item.get("product_types") or ())
        for value in types:
            if value not in PRODUCT_TYPES and value != UNKNOWN:
                problems.append(
                    Problem(
                        f"product_types: one of {', '.join(PRODUCT_TYPES)}, {UNKNOWN}",
                        column=f"{where}[{i}].product_types",
                        value=str(value),
                        file=file,
                    )
                )
        out.append(Exception_(str(item["pattern"]), str(item["source"]), tuple(item.get("categories") or ()), types))
    return tuple(out)


def _types(raw: Any, where: str, problems: list[Problem], file: str) -> tuple[str, ...]:
    values = tuple(str(v) for v in raw or ())
    for value in values:
        if value not in PRODUCT_TYPES and value != UNKNOWN:
            problems.append(
                Problem(f"a product type is one of {', '.join(PRODUCT_TYPES)}, {UNKNOWN}", column=where, value=value, file=file)
            )
    return values


def _claim(raw: Any, where: str, problems: list[Problem], file: str) -> Claim | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                "claim is {before, after, objects, lexicons, window, quantity, negations, listed, units, sources}",
                column=where,
                value=str(raw)[:80],
                file=file,
            )
        )
        return None
    words = {key: tuple(str(w) for w in raw.get(key) or ()) for key in ("before", "after", "objects", "lexicons", "negations", "sources")}
    window = raw.get("window", 6)
    if not isinstance(window, int) or not 0 <= window <= 20:
        problems.append(Problem("claim.window is a whole number from 0 to 20", column=f"{where}.window", value=str(window), file=file))
        window = 6
    quantity = bool(raw.get("quantity", False))
    listed = raw.get("listed", 0)
    if not isinstance(listed, int) or listed == 1 or not 0 <= listed <= 10:
        problems.append(
            Problem("claim.listed is 0 (off) or a whole number from 2 to 10", column=f"{where}.listed", value=str(listed), file=file)
        )
        listed = 0
    if not words["before"] and not words["after"] and not listed:
        problems.append(Problem("a claim has words before or after its object (or listed: N)", column=where, file=file))
    if not quantity and not words["objects"] and not words["lexicons"]:
        problems.append(Problem("a claim has objects, lexicons or quantity: true", column=where, file=file))
    units = tuple(str(u) for u in raw.get("units") or ())
    if units and not quantity:
        problems.append(Problem("claim.units goes with quantity: true", column=f"{where}.units", value=str(list(units)), file=file))
    return Claim(
        words["before"],
        words["after"],
        words["objects"],
        words["lexicons"],
        window,
        quantity,
        words["negations"],
        listed,
        units,
        words["sources"],
    )


def parse_pack(text: str, file: str, origin: str = "builtin") -> Pack:
    """A pack from its YAML text; ValidationFailed names every problem (file, rule, field, value, rule broken)."""
    problems: list[Problem] = []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{file}: not YAML: {exc}", [Problem(f"not YAML: {exc}", file=file)]) from exc
    if not isinstance(data, dict) or not data.get("pack") or not isinstance(data.get("rules"), list):
        raise ValidationFailed(
            f"{file}: a pack has `pack` (its name) and `rules` (a list)", [Problem("a pack has `pack` and `rules`", file=file)]
        )
    name = str(data["pack"])
    rules = []
    for i, raw in enumerate(data["rules"]):
        where = f"rules[{i}]"
        if not isinstance(raw, dict):
            problems.append(Problem("a rule is an object", column=where, file=file))
            continue
        rid = str(raw.get("id", ""))
        if not RULE_ID.match(rid):
            problems.append(Problem("id: letters, digits and dashes", column=f"{where}.id", value=rid, file=file))
        if raw.get("category") not in CATEGORIES:
            problems.append(
                Problem(
                    f"category is one of {', '.join(CATEGORIES)}", column=f"{where}.category", value=str(raw.get("category")), file=file
                )
            )
        if raw.get("severity") not in SEVERITIES:
            problems.append(
                Problem("severity is high, medium or low", column=f"{where}.severity", value=str(raw.get("severity")), file=file)
            )
        law = raw.get("law") or {}
        if not isinstance(law, dict) or not law.get("name") or not law.get("article"):
            problems.append(Problem("law has name and article", column=f"{where}.law", value=str(law), file=file))
            law = {"name": "?", "article": "?"}
        patterns = [str(p) for p in raw.get("patterns") or [] if str(p).strip()]
        claim = _claim(raw.get("claim"), f"{where}.claim", problems, file)
        if not patterns and claim is None:
            problems.append(Problem("a rule has at least one pattern (or a claim)", column=f"{where}.patterns", file=file))
        rules.append(
            Rule(
                id=rid,
                pack=name,
                category=str(raw.get("category")),
                severity=str(raw.get("severity")),
                law=Law(str(law["name"]), str(law["article"]), str(law.get("item") or "")),
                description=str(raw.get("description") or ""),
                patterns=tuple(patterns),
                suggestion=str(raw.get("suggestion") or ""),
                pinyin=bool(raw.get("pinyin", False)),
                exceptions=_exceptions(raw.get("exceptions"), f"{where}.exceptions", problems, file),
                effective_from=_day(raw.get("effective_from"), f"{where}.effective_from", problems, file),
                effective_to=_day(raw.get("effective_to"), f"{where}.effective_to", problems, file),
                product_types=_types(raw.get("product_types"), f"{where}.product_types", problems, file),
                not_for=_types(raw.get("not_for"), f"{where}.not_for", problems, file),
                claim=claim,
            )
        )
    pack = Pack(
        name=name,
        title=str(data.get("title") or name),
        version=str(data.get("version") or ""),
        effective_from=_day(data.get("effective_from"), "effective_from", problems, file),
        source=str(data.get("source") or ""),
        rules=tuple(rules),
        exceptions=_exceptions(data.get("exceptions"), "exceptions", problems, file),
        origin=origin,
        file=file,
    )
    if problems:
        raise ValidationFailed(f"{file}: {len(problems)} problem(s) in the rule pack", problems)
    return pack


@lru_cache(maxsize=4)
def _load(directory: str | None) -> tuple[Pack, ...]:
    packs = []
    builtin = resources.files("livecommerce.compliance").joinpath("packs")
    for entry in sorted(builtin.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            packs.append(parse_pack(entry.read_text(encoding="utf-8"), entry.name))
    if directory:
        for path in sorted(Path(directory).glob("*.y*ml")):
            packs.append(parse_pack(path.read_text(encoding="utf-8"), str(path), origin="local"))
    names = [p.name for p in packs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationFailed(f"rule pack names used twice: {', '.join(twice)}")
    ids = [r.id for p in packs for r in p.rules]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationFailed(f"rule ids used twice: {', '.join(repeated)}")
    return tuple(packs)


def all_packs() -> tuple[Pack, ...]:
    """The built-in packs and those of ``compliance_packs_dir``."""
    return _load(get_settings().compliance_packs_dir)


def select(names: list[str] | None) -> tuple[Pack, ...]:
    """The packs named (all when None); an unknown name is NotFound."""
    packs = all_packs()
    if not names:
        return packs
    by_name = {p.name: p for p in packs}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFound(f"no rule pack {', '.join(missing)}; packs: {', '.join(by_name)}")
    return tuple(by_name[n] for n in names)
