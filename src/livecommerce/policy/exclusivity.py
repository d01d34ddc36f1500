"""从优、就高、不重复: of the awards an entity is eligible for, which are granted.

Eligible awards are ranked by amount (largest first, equal amounts in clause order) and each is granted unless one
already granted excludes it: the same exclusive group of one document (LIVE20 /1a /1b /3: "sales"; every EC20 clause:
one EC20 award a year, 004's closing paragraph), or the same basis under another document (each document's closing
paragraph: "同时符合本措施及我省其他政策规定的…不重复"). Ranking first makes the result independent of input order.
"""

from __future__ import annotations

from dataclasses import dataclass

from livecommerce.policy.clauses import BY_ID, ORDER
from livecommerce.policy.documents import DOCUMENTS
from livecommerce.policy.trace import Finding, yuan


@dataclass(frozen=True)
class Decision:
    """The granted findings, and each excluded one with the reason in words."""

    granted: list[Finding]
    excluded: list[tuple[Finding, str]]


def _conflict(a: Finding, b: Finding) -> str | None:
    """Why ``b`` may not be granted beside ``a`` (None when both may)."""
    ca, cb = BY_ID[a.clause], BY_ID[b.clause]
    if ca.document == cb.document:
        doc = DOCUMENTS[ca.document]
        if doc.one_award_per_year:
            return f"{doc.short} 同一法人主体每年只享受一项 ({doc.source} 末段)"
        if ca.group is not None and ca.group == cb.group:
            return f"{ca.short} 与 {cb.short} 同属规模类奖励, 不重复 ({doc.source} 末段)"
        return None
    if ca.basis is not None and ca.basis == cb.basis:
        return f"{ca.short} 与 {cb.short} 支持同一事项 ({ca.basis}), 跨文件不重复"
    return None


def decide(entity_id: str, eligible: list[Finding]) -> Decision:
    """Grant the largest awards that do not exclude each other."""
    ranked = sorted(eligible, key=lambda f: (-f.amount, ORDER[f.clause]))
    granted: list[Finding] = []
    excluded: list[tuple[Finding, str]] = []
    for finding in ranked:
        clash = next(((g, why) for g in granted if (why := _conflict(g, finding))), None)
        if clash is None:
            granted.append(finding)
            continue
        winner, why = clash
        excluded.append(
            (
                finding,
                f"{entity_id} 同时符合 {BY_ID[winner.clause].short} {yuan(winner.amount)} 与 "
                f"{BY_ID[finding.clause].short} {yuan(finding.amount)}; 按“从优、就高、不重复”予 "
                f"{BY_ID[winner.clause].short} ({why})",
            )
        )
    granted.sort(key=lambda f: ORDER[f.clause])
    return Decision(granted, excluded)
