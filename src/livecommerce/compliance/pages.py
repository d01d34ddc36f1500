"""合规检测 pages: paste a script, a title or a transcript, choose the rule packs, and see the text with each prohibited
word or claim marked and a table of what law it breaks and what to say instead (/compliance); the rule packs with their
rules, patterns and exceptions (/compliance/packs).

Thin: parse the form, call the service, render. Any logged-in user may check a text (a host, a clerk, an officer): it
reads and writes nothing of anyone's data. The form posts normally; with HTMX only the result is swapped in.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from livecommerce.accounts.deps import CurrentActor
from livecommerce.compliance import service
from livecommerce.compliance.marking import pieces, worst
from livecommerce.compliance.packs import CATEGORIES, PRODUCT_TYPES, SEVERITIES
from livecommerce.compliance.scanner import Hit
from livecommerce.core.errors import NotFound, ValidationFailed
from livecommerce.core.web.templating import render

router = APIRouter(include_in_schema=False)
PATTERNS_SHOWN = 6  # patterns listed with a rule on the packs page; the others fold into <details>


def position(start: int, end: int) -> str:
    """Characters counted from 1, both ends included: 第 12–16 字 (第 3 字 for one character)."""
    return f"第 {start + 1} 字" if end - start == 1 else f"第 {start + 1}–{end} 字"


def hit_rows(hits: list[Hit]) -> list[dict[str, Any]]:
    """The hits as the table shows them, numbered from 1 (the number is also shown after the marked text)."""
    return [
        {
            "n": n,
            "text": h.text,
            "position": position(h.start, h.end),
            "category": h.category,
            "category_name": CATEGORIES.get(h.category, h.category),
            "severity": h.severity,
            "severity_name": SEVERITIES.get(h.severity, h.severity),
            "law": h.law,
            "suggestion": h.suggestion,
            "rule": h.rule,
        }
        for n, h in enumerate(hits, start=1)
    ]


def marked_pieces(text: str, hits: list[Hit]) -> list[dict[str, Any]]:
    """The text cut where hits begin and end; a covered piece carries the gravest severity over it, its categories,
    a tooltip with each hit's law, the numbers of the hits that end with it, and whether one goes on after it."""
    out = []
    for piece in pieces(text, [(h.start, h.end) for h in hits]):
        covering = [hits[i] for i in piece.hits]
        out.append(
            {
                "text": piece.text,
                "marked": bool(covering),
                "severity": worst([h.severity for h in covering]),
                "categories": sorted({h.category for h in covering}),
                "numbers": " ".join(str(i + 1) for i in piece.hits),
                "ending": ",".join(str(i + 1) for i in piece.ending),
                "continued": len(piece.ending) < len(piece.hits),  # a hit over it goes on in the next piece
                "title": "\n".join(
                    f"{i + 1}. {CATEGORIES.get(hits[i].category, hits[i].category)}"
                    f"（{SEVERITIES.get(hits[i].severity, hits[i].severity)}）：{hits[i].law}"
                    for i in piece.hits
                ),
            }
        )
    return out


def summary(hits: list[Hit]) -> list[tuple[str, int]]:
    """(category in Chinese, hits) in the order of the category list."""
    counts = Counter(h.category for h in hits)
    return [(name, counts[code]) for code, name in CATEGORIES.items() if counts[code]]


def _check_page(
    request: Request,
    *,
    text: str = "",
    chosen: list[str] | None = None,
    hits: list[Hit] | None = None,
    error: str = "",
    status: int = 200,
    product_type: str = "",
) -> Response:
    packs = service.packs_table()
    result = None
    if hits is not None:
        result = {
            "count": len(hits),
            "rows": hit_rows(hits),
            "pieces": marked_pieces(text, hits),
            "summary": summary(hits),
            "packs": [p["title"] for p in packs if p["name"] in (chosen or [])],
            "product_type": PRODUCT_TYPES.get(product_type, ""),
        }
    return render(
        request,
        "compliance/check.html",
        {
            "title": "合规检测",
            "tab": "check",
            "text": text,
            "error": error,
            "result": result,
            "product_types": PRODUCT_TYPES,
            "product_type": product_type,
            "packs": [
                {"name": p["name"], "title": p["title"], "rules": len(p["rules"]), "checked": chosen is None or p["name"] in chosen}
                for p in packs
            ],
            "severities": SEVERITIES,
            "max_text": service.MAX_TEXT,
        },
        status,
    )


@router.get("/compliance", response_class=HTMLResponse)
def check_page(request: Request, actor: CurrentActor) -> Response:
    """合规检测: a text box and the rule packs (all chosen)."""
    return _check_page(request)


@router.post("/compliance", response_class=HTMLResponse)
def check_form(
    request: Request,
    actor: CurrentActor,
    text: Annotated[str, Form()] = "",
    packs: Annotated[list[str] | None, Form()] = None,
    product_type: Annotated[str, Form()] = "",
) -> Response:
    """Check the pasted text (about a product of the chosen type) against the chosen packs and show it marked, with the
    table of hits."""
    chosen = list(dict.fromkeys(packs or []))
    # HTMX swaps only a 2xx answer in: a refused form is answered 200 there, so that its reason is shown
    refused = 200 if request.headers.get("HX-Request") else 422
    page: dict[str, Any] = {"text": text, "chosen": chosen, "product_type": product_type if product_type in PRODUCT_TYPES else ""}
    if not text.strip():
        return _check_page(request, **page, error="请粘贴要检测的文字（话术、标题或直播文字稿）。", status=refused)
    if not chosen:
        return _check_page(request, **page, error="请至少选择一个规则包。", status=refused)
    if product_type and product_type not in PRODUCT_TYPES:
        allowed = "、".join(f"{name}（{code}）" for code, name in PRODUCT_TYPES.items())
        return _check_page(request, **page, error=f"未知的商品类型“{product_type}”，可选：{allowed}。", status=refused)
    try:
        hits = service.scan(text, product_type or None, chosen)
    except (ValidationFailed, NotFound) as exc:
        return _check_page(request, **page, error=f"未能检测：{exc}", status=refused)
    return _check_page(request, **page, hits=hits)


def by_source(exceptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exceptions grouped by their source (and categories), in the order first seen: one source, many phrases."""
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for e in exceptions:
        groups.setdefault((e["source"], tuple(e.get("categories") or ())), []).append(e["pattern"])
    return [
        {"source": source, "categories": [CATEGORIES.get(c, c) for c in categories], "patterns": patterns}
        for (source, categories), patterns in groups.items()
    ]


@router.get("/compliance/packs", response_class=HTMLResponse)
def packs_page(request: Request, actor: CurrentActor) -> Response:
    """规则包: every pack loaded, with its rules (category, severity, law, patterns) and exceptions with their sources."""
    packs = [
        pack
        | {
            "exception_groups": by_source(pack["exceptions"]),
            "rules": [rule | {"exception_groups": by_source(rule["exceptions"])} for rule in pack["rules"]],
        }
        for pack in service.packs_table()
    ]
    return render(
        request,
        "compliance/packs.html",
        {
            "title": "合规检测规则包",
            "tab": "packs",
            "packs": packs,
            "categories": CATEGORIES,
            "shown": PATTERNS_SHOWN,
            "rule_count": sum(len(p["rules"]) for p in packs),
        },
    )
