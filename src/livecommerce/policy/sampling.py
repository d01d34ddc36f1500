"""助企行动 sampling (查验抽样与名额分配, HLJ-2023-FUND): the reproducible spot-check sample of at least 10% of each
city's service objects (001 附件1 五(二)), and the allocation of the service-object places across cities
(001 附件1 四(三), 第六条 方向(一)).

The sample is drawn by sorting on sha256(seed + "|" + id): anyone holding the seed and the list draws the same sample,
whatever the order of the list, and nobody can choose it without changing the seed. The places are shared by the
largest-remainder (Hamilton) method on exact fractions, so they add up to the total exactly. docs/policies.md
(助企行动 acceptance) is the public statement of both formulas.
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from livecommerce.core.errors import NotFound, Problem, ValidationFailed
from livecommerce.core.money import to_money
from livecommerce.reference.regions import regions

SAMPLE_SHARE = Decimal("0.10")
PLACES = 1500
RETAIL_WEIGHT = Decimal("0.5")
ABOVE_QUOTA_SHARE = Decimal("0.10")
SIX = Decimal("0.000001")


def _fail(message: str, problems: list[Problem]) -> ValidationFailed:
    """One error carrying every problem found."""
    return ValidationFailed(f"{len(problems)} problem(s) {message}", problems)


def _share(value: Decimal, name: str, *, allow_zero: bool) -> Decimal:
    """A share between 0 and 1 (a Decimal or a decimal string, never a float)."""
    try:
        share = Decimal(str(value)) if not isinstance(value, float) else None
    except ArithmeticError:
        share = None
    low_ok = share is not None and share.is_finite() and (share >= 0 if allow_zero else share > 0)
    if share is None or not low_ok or share > 1:
        rule = f'{name} is a decimal {"from 0" if allow_zero else "above 0"} up to 1, e.g. "0.10"'
        raise ValidationFailed(f"{name} {value!r}: {rule}", [Problem(rule, name, repr(value))])
    return share


def sample_size(count: int, share: Decimal = SAMPLE_SHARE) -> int:
    """001 附件1 五(二): 比例不低于10% — ceil(share × count): 11 objects → 2, 10 → 1, 0 → 0."""
    return int((_share(share, "share", allow_zero=False) * count).to_integral_value(rounding=ROUND_CEILING))


def draw_key(seed: str, ident: str) -> str:
    """The sort key of one object in the draw: sha256 of "seed|id" (UTF-8), in hex."""
    return hashlib.sha256(f"{seed}|{ident}".encode()).hexdigest()


def _city(raw: Any) -> str | None:
    """The 市(地) code of a region code (a county rolls up to its 市); None for the province or an unknown code."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None
    try:
        return regions().get(str(raw)).city_code
    except NotFound:
        return None


def spot_check(objects: list[dict[str, Any]], seed: str, share: Decimal = SAMPLE_SHARE) -> dict[str, list[str]]:
    """001 附件1 五(二) "查验, 比例不低于10%": per city, the ceil(share × n) objects first in sha256(seed|id) order."""
    if not isinstance(seed, str) or not seed.strip():
        raise ValidationFailed(
            "the seed is a non-empty string, published before the draw (抽样种子)",
            [Problem("the seed is a non-empty string (抽样种子)", "seed", repr(seed))],
        )
    share = _share(share, "share", allow_zero=False)
    problems: list[Problem] = []
    by_city: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for row, obj in enumerate(objects, start=1):
        ident = obj.get("id") if isinstance(obj, dict) else None
        if isinstance(ident, bool) or not isinstance(ident, (str, int)) or not str(ident).strip():
            problems.append(Problem("every object has an id (编号)", "id", repr(ident), row))
            continue
        ident = str(ident).strip()
        if ident in seen:
            problems.append(Problem(f"object {ident}: duplicate id; object {seen[ident]} has it already (重复编号)", "id", ident, row))
            continue
        seen[ident] = row
        raw_city = obj.get("city") if isinstance(obj, dict) else None
        city = _city(raw_city)
        if city is None:
            problems.append(
                Problem(
                    f"object {ident}: city is a 6-digit region code of a 市(地) of Heilongjiang (所属市地)",
                    "city",
                    None if raw_city is None else str(raw_city),
                    row,
                )
            )
            continue
        by_city.setdefault(city, []).append(ident)
    if problems:
        raise _fail("in the objects to sample; nothing was drawn", problems)
    return {
        city: sorted(ids, key=lambda i: (draw_key(seed, i), i))[: sample_size(len(ids), share)] for city, ids in sorted(by_city.items())
    }


def _count(raw: Any) -> int | None:
    """A whole number ≥ 0 (an int or a string of digits)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).strip().isdigit():
        return None
    return int(str(raw).strip())


def _read_cities(cities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cities of an allocation, each checked: a known 市(地) code once, online_retail in yuan, counts ≥ 0."""
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row, raw in enumerate(cities, start=1):
        if not isinstance(raw, dict):
            problems.append(
                Problem("a city is an object {code, name, online_retail, entities, above_quota_entities}", None, repr(raw), row)
            )
            continue
        code = str(raw.get("code", "")).strip()
        region = regions().by_code.get(code)
        if region is None or region.level != "city":
            problems.append(Problem("code is the 6-digit code of a 市(地) of Heilongjiang, e.g. 230100", "code", code, row))
        elif code in seen:
            problems.append(Problem("city given twice (重复的市地)", "code", code, row))
        seen.add(code)
        try:
            retail = to_money(raw.get("online_retail"))
            if retail < 0:
                raise ValueError("negative")
        except (TypeError, ValueError, ArithmeticError):
            retail = None
            problems.append(
                Problem(
                    "online_retail is an amount ≥ 0 in yuan, a decimal string, never a float (网络零售额)",
                    "online_retail",
                    repr(raw.get("online_retail")),
                    row,
                )
            )
        counts = {key: _count(raw.get(key)) for key in ("entities", "above_quota_entities")}
        for key, value in counts.items():
            if value is None:
                problems.append(Problem(f"{key} is a whole number ≥ 0", key, repr(raw.get(key)), row))
        name = raw.get("name") or (region.name if region else code)
        out.append({"code": code, "name": str(name), "online_retail": retail, **counts})
    if problems:
        raise _fail("in the cities; no places were allocated", problems)
    return out


def _hamilton(weights: dict[str, Fraction], total: int) -> dict[str, int]:
    """Largest-remainder (Hamilton) method: floor(total × weight) each, then one more each to the largest remainders
    (ties by code ascending) until the places add up to ``total``."""
    quotas = {code: total * w for code, w in weights.items()}
    places = {code: int(q) for code, q in quotas.items()}
    leftover = total - sum(places.values())
    for code in sorted(quotas, key=lambda c: (-(quotas[c] - places[c]), c))[:leftover]:
        places[code] += 1
    return places


def _fraction_text(value: Fraction, quantum: Decimal = SIX) -> str:
    """An exact fraction shown with six decimals, half-up."""
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, rounding=ROUND_HALF_UP))


def allocate_places(
    cities: list[dict[str, Any]],
    total: int = PLACES,
    retail_weight: Decimal = RETAIL_WEIGHT,
    above_quota_share: Decimal = ABOVE_QUOTA_SHARE,
) -> list[dict[str, Any]]:
    """001 附件1 四(三) "综合各市(地)网络零售额、电商企业数量等因素分配…名额": weight = w × retail share + (1 − w) ×
    entity share; places by largest remainder summing to ``total``; ceil(10%) of each city's places kept for 限上 enterprises."""
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValidationFailed(f"total {total!r}: a whole number ≥ 0", [Problem("a whole number ≥ 0", "total", repr(total))])
    w = Fraction(_share(retail_weight, "retail_weight", allow_zero=True))
    reserve = _share(above_quota_share, "above_quota_share", allow_zero=True)
    rows = _read_cities(cities)
    retail_sum = sum((r["online_retail"] for r in rows), Decimal(0))
    entity_sum = sum(r["entities"] for r in rows)
    if not rows or (w > 0 and retail_sum == 0) or (w < 1 and entity_sum == 0):
        rule = "every weighted factor needs a total above 0 (网络零售额 and 电商企业数量 across the cities)"
        raise ValidationFailed(f"cannot weigh the cities: {rule}", [Problem(rule, "online_retail/entities")])
    weights = {
        r["code"]: (w * Fraction(r["online_retail"]) / Fraction(retail_sum) if w > 0 else Fraction(0))
        + ((1 - w) * Fraction(r["entities"], entity_sum) if w < 1 else Fraction(0))
        for r in rows
    }
    places = _hamilton(weights, total)
    out = []
    for r in sorted(rows, key=lambda r: r["code"]):
        n = places[r["code"]]
        wanted = int((reserve * n).to_integral_value(rounding=ROUND_CEILING))
        kept = min(wanted, r["above_quota_entities"])
        note = (
            ""
            if kept == wanted
            else (f"限上企业仅 {r['above_quota_entities']} 家, 少于应留名额 {wanted} 个: 留 {kept} 个, 差 {wanted - kept} 个")
        )
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "weight": _fraction_text(weights[r["code"]]),
                "quota": _fraction_text(total * weights[r["code"]]),
                "places": n,
                "above_quota_places": kept,
                "note": note,
            }
        )
    return out
