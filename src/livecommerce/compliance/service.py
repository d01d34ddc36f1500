"""The compliance service (合规检测): what the CLI, the API and the pages call — scan one text, scan many records
({"id", "text"} → {"id", "hits"}), list the packs. Scanning reads nothing and writes nothing, so it needs no scope;
the console and the API still require a logged-in user (or a platform token)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from livecommerce.compliance.packs import CATEGORIES, PRODUCT_TYPES, SEVERITIES, Pack, all_packs
from livecommerce.compliance.scanner import Hit, Scanner, default_scanner
from livecommerce.core.errors import Problem, ValidationFailed

BATCH = 5000  # records scanned at once: one normalisation and one automaton pass for many chat lines
MAX_TEXT = 1_000_000  # characters of one text, so that one request cannot hold a worker for long


def scanner(packs: list[str] | None = None, day: date | None = None) -> Scanner:
    """The scanner of these packs (all by default) for today or ``day``; NotFound names an unknown pack."""
    return default_scanner(packs, day)


def valid_product_type(value: Any, where: str = "product_type", row: int | None = None, source: str | None = None) -> str | None:
    """A product type as given (None or "" for unknown); any other value is refused, naming the allowed ones."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in PRODUCT_TYPES:
        allowed = ", ".join(PRODUCT_TYPES)
        prefix = f"{source} line {row}: " if source and row else ""
        raise ValidationFailed(
            f"{prefix}{where} {value!r}: one of {allowed} (or none for unknown)",
            [Problem(f"product_type is one of {allowed}", column=where, row=row, file=source, value=str(value)[:80])],
        )
    return value


def scan(text: str, product_type: str | None = None, packs: list[str] | None = None, day: date | None = None) -> list[Hit]:
    """The hits of one text about a product of ``product_type`` (food, health_food, cosmetic …; None when unknown):
    what other code calls (a product library scans its titles with the product's type)."""
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"text of {len(text):,} characters: at most {MAX_TEXT:,}; scan a long transcript as lines")
    return scanner(packs, day).scan(text, valid_product_type(product_type))


def check(text: str, packs: list[str] | None = None, day: date | None = None, product_type: str | None = None) -> list[Hit]:
    """The hits of one text (a script, a title, a transcript)."""
    return scan(text, product_type, packs, day)


def _record(raw: Any, line: int, source: str) -> tuple[Any, str, str | None]:
    if not isinstance(raw, dict) or "text" not in raw or not isinstance(raw["text"], str):
        raise ValidationFailed(
            f'{source} line {line}: a record is {{"id": …, "text": "…"}}',
            [Problem('a record is {"id", "text"} with text a string', column="text", row=line, file=source, value=str(raw)[:80])],
        )
    ident = raw.get("id", line)
    kind = valid_product_type(raw.get("product_type"), "product_type", line, source)
    return (ident if isinstance(ident, (str, int)) else str(ident)), raw["text"], kind


def scan_records(
    records: Iterable[Any], packs: list[str] | None = None, source: str = "-", day: date | None = None
) -> Iterator[dict[str, Any]]:
    """{"id", "hits": [...]} for each record {"id", "text", "product_type"?}, in order, scanned in batches."""
    engine = scanner(packs, day)
    batch: list[tuple[Any, str, str | None]] = []
    for line, raw in enumerate(records, start=1):
        batch.append(_record(raw, line, source))
        if len(batch) >= BATCH:
            yield from _answer(engine, batch)
            batch = []
    if batch:
        yield from _answer(engine, batch)


def _answer(engine: Scanner, batch: list[tuple[Any, str, str | None]]) -> Iterator[dict[str, Any]]:
    texts, kinds = [text for _, text, _ in batch], [kind for _, _, kind in batch]
    for (ident, _, _), hits in zip(batch, engine.scan_many(texts, kinds), strict=True):
        yield {"id": ident, "hits": [hit.to_json() for hit in hits]}


def packs_table() -> list[dict[str, Any]]:
    """Every pack with its rules (for the 规则包 page and GET /api/compliance/packs)."""
    return [_pack_json(pack) for pack in all_packs()]


def _pack_json(pack: Pack) -> dict[str, Any]:
    return {
        "name": pack.name,
        "title": pack.title,
        "version": pack.version,
        "effective_from": pack.effective_from.isoformat() if pack.effective_from else None,
        "source": pack.source,
        "origin": pack.origin,
        "rules": [
            {
                "id": r.id,
                "category": r.category,
                "category_name": CATEGORIES[r.category],
                "severity": r.severity,
                "severity_name": SEVERITIES[r.severity],
                "law": str(r.law),
                "description": r.description,
                "patterns": list(r.patterns),
                "pinyin": r.pinyin,
                "suggestion": r.suggestion,
                "exceptions": [{"pattern": e.pattern, "source": e.source} for e in r.exceptions],
                "effective_from": r.effective_from.isoformat() if r.effective_from else None,
                "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            }
            for r in pack.rules
        ],
        "exceptions": [{"pattern": e.pattern, "source": e.source, "categories": list(e.categories)} for e in pack.exceptions],
    }
