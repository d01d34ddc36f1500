"""The facts of a policy run (`livecommerce policy run --year Y`): every registered entity, its yearly 实物 and 地产品
实物网络零售额 from the platform data (stats), and the facts only the entity can declare (recognitions, loans,
investments) from a declarations file in the `evaluate` contract. Declared sales figures are compared with the
warehouse: beyond the tolerance (setting ``policy_review_tolerance``) the entity's awards are flagged for review
(虚报冒领, 001 附件1 五(三)) with both figures and the share of its physical sales backed by a parcel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor
from livecommerce.core.settings import get_settings
from livecommerce.entities.schemas import EntityFilter
from livecommerce.entities.service import export_entities
from livecommerce.policy.trace import money
from livecommerce.reference.regions import regions
from livecommerce.stats import service as stats

SALES = ("physical_online_retail", "local_physical_online_retail")
LABELS = {"physical_online_retail": "实物网络零售额", "local_physical_online_retail": "地产品实物网络零售额"}


def policy_kind(kind: str, region_code: str) -> str | None:
    """The registry's kind in the policy's words: a government body is a city's or a county's by its region; the
    province's own departments (None) pay the awards and do not apply for them."""
    if kind != "government":
        return kind
    level = regions().get(region_code).level
    return {"county": "county_government", "city": "city_government"}.get(level)


def tolerance() -> Decimal:
    text = get_settings().policy_review_tolerance
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise ValidationFailed(f"LIVECOMMERCE_POLICY_REVIEW_TOLERANCE {text!r}: a share such as 0.05") from exc
    return value


def registry_payload(session: Session, year: int, actor: Actor) -> dict[str, dict[str, Any]]:
    """One entity object (the evaluate contract) per registered entity, with its sales of ``year`` and the year
    before from the warehouse; keyed by USCC."""
    figures = stats.seller_years(year - 1, year, actor)
    out: dict[str, dict[str, Any]] = {}
    for row in export_entities(session, actor, EntityFilter()):
        kind = policy_kind(row.kind, row.region_code)
        if kind is None:
            continue
        years = figures.get(row.uscc, {})
        facts: dict[str, Any] = {}
        if years:
            facts["physical_online_retail"] = {str(y): money(v[0]) for y, v in sorted(years.items())}
            facts["local_physical_online_retail"] = {str(y): money(v[1]) for y, v in sorted(years.items())}
        out[row.uscc] = {
            "id": row.uscc,
            "uscc": row.uscc,
            "name": row.name,
            "kind": kind,
            "in_province": True,
            "above_quota": bool(row.above_quota),
            "region": row.region_code,
            "facts": facts,
        }
    return out


def merge(
    year: int, registered: dict[str, dict[str, Any]], declared: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The payload to evaluate, and the declared-versus-warehouse differences per entity id. Sales figures come from
    the warehouse for registered entities; every other declared fact is taken as declared."""
    entities = {uscc: {**e, "facts": dict(e["facts"])} for uscc, e in registered.items()}
    differences: dict[str, list[dict[str, Any]]] = {}
    limit = tolerance()
    for raw in (declared or {}).get("entities", []):
        if not isinstance(raw, dict):
            continue
        key = str(raw.get("uscc") or raw.get("id") or "")
        base = entities.get(key)
        if base is None:
            entity = dict(raw)
            entity.setdefault("uscc", None)
            entities[key or f"#{len(entities) + 1}"] = entity
            differences[str(raw.get("id"))] = [{"fact": "registry", "note": "未在主体库登记, 无平台数据可核对 (按申报计)"}]
            continue
        for name in ("above_quota", "call_center", "in_province"):
            if name in raw:
                base[name] = raw[name]
        facts = raw.get("facts") or {}
        for name, value in facts.items():
            if name not in SALES:
                base["facts"][name] = value
        found = compare_declared(year, base["facts"], facts, limit)
        if found:
            differences[base["id"]] = found
    payload = {"year": year, "entities": list(entities.values())}
    return payload, differences


def compare_declared(year: int, warehouse: dict[str, Any], declared: dict[str, Any], limit: Decimal) -> list[dict[str, Any]]:
    """Declared sales of ``year`` and the year before against the warehouse's, beyond the tolerance."""
    out = []
    for name in SALES:
        for y in (str(year - 1), str(year)):
            said = (declared.get(name) or {}).get(y)
            if said is None:
                continue
            try:
                claimed = Decimal(str(said))
            except ArithmeticError:
                continue
            actual = Decimal((warehouse.get(name) or {}).get(y, "0.00"))
            gap = claimed - actual
            if abs(gap) > limit * actual or (actual == 0 and claimed != 0):
                share = f"{(gap / actual * 100).quantize(Decimal('0.1'))}%" if actual else "—"
                out.append(
                    {
                        "fact": name,
                        "label": LABELS[name],
                        "year": int(y),
                        "declared": money(claimed),
                        "warehouse": money(actual),
                        "difference": money(gap),
                        "share": share,
                        "tolerance": f"{(limit * 100).normalize():f}%",
                    }
                )
    return out


def parcel_evidence(year: int, usccs: list[str], actor: Actor) -> dict[str, dict[str, str]]:
    """For flagged entities: physical sales of the year from order detail and the part shipped with a parcel."""
    if not usccs:
        return {}
    backed = stats.parcel_backed(year, actor)
    out = {}
    for uscc in usccs:
        physical, shipped = backed.get(uscc, (Decimal("0.00"), Decimal("0.00")))
        share = f"{(shipped / physical * 100).quantize(Decimal('0.1'))}%" if physical else "—"
        out[uscc] = {"order_physical": money(physical), "parcel_backed": money(shipped), "parcel_share": share}
    return out
