"""The clause catalogue as the API, the pages and the CLI show it (`livecommerce policy clauses`,
GET /api/policy/clauses, 政策条款): every clause with its citation, quote, who, rule, exclusivity, years in force and
its dated parameters (docs/policies.md)."""

from __future__ import annotations

from typing import Any

from livecommerce.policy.clauses import ALL
from livecommerce.policy.documents import DOCUMENTS
from livecommerce.policy.parameters import catalogue, resolve


def clauses_table(year: int | None = None) -> list[dict[str, Any]]:
    """Every clause with its citation, quote, who, rule, exclusivity, years in force and parameters (docs/policies.md)."""
    params = catalogue()
    out = []
    for clause in ALL:
        doc = DOCUMENTS[clause.document]
        prefix = f"{doc.short}/{clause.number.split('-')[0]}."
        out.append(
            {
                "id": clause.id,
                "short": clause.short,
                "document": clause.document,
                "document_title": doc.title,
                "title": clause.title,
                "citation": clause.citation,
                "quote": clause.quote,
                "who": clause.who,
                "rule": clause.rule,
                "group": clause.group,
                "basis": clause.basis,
                "once": clause.once,
                "case_by_case": clause.case_by_case,
                "years": list(doc.years()),
                "in_force": (year in doc.years()) if year is not None else None,
                "parameters": [
                    parameter_json(p, year)
                    for name, p in params.items()
                    if not clause.case_by_case
                    and (name.startswith(prefix) or (clause.basis == "loan_interest" and name.startswith("EC20/interest.")))
                ],
            }
        )
    return out


def parameter_json(param: Any, year: int | None = None) -> dict[str, Any]:
    values = [
        {"from": d.isoformat(), "value": show(v), "checked": c} for d, v, c in zip(param.dates, param.values, param.checked, strict=True)
    ]
    current = resolve(year).get(param.name) if year is not None else param.values[-1]
    return {
        "name": param.name,
        "description": param.description,
        "document": param.document,
        "clause": param.clause,
        "quote": param.quote,
        "value": show(current),
        "values": values,
    }


def show(value: Any) -> Any:
    """A parameter value as JSON shows it: a tuple as a list, anything else as its text (Decimal exact)."""
    return list(value) if isinstance(value, tuple) else str(value)
