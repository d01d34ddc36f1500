"""Every clause and parameter cites its document, and its quoted sentence is really in that document; every clause
is in docs/policies.md (the habit of datasette's tests/test_docs.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livecommerce.policy.clauses import ALL, COMPUTED
from livecommerce.policy.documents import DOCUMENTS
from livecommerce.policy.parameters import catalogue

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "docs" / "seeds"  # copies of ../shared/seeds, so that CI checks the quotes too
DOCS = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
FILES = {
    "HLJ-2025-LIVE20": "000_f467ed5c45ed642d.txt",
    "HLJ-2026-EC20": "004_9b296d9d69a709cc.txt",
    "HLJ-2023-FUND": "001_0310c79971fe8977.txt",
}
WIDE = str.maketrans("（），；：、“”", '(),;:,""')


def _plain(text: str) -> str:
    """Punctuation made half-width and spaces dropped, so that a quote matches however the seed typesets it."""
    return re.sub(r"\s+", "", text.translate(WIDE))


def _seed(document: str) -> str:
    path = SEEDS / FILES[document]
    if not path.exists():
        pytest.skip(f"the seed documents are not beside the checkout ({path})")
    return _plain(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("clause", ALL, ids=lambda c: c.id)
def test_every_clause_quotes_its_document(clause) -> None:
    seed = _seed(clause.document)
    for part in re.split(r"……|…", clause.quote):
        assert _plain(part) in seed, f"{clause.id}: {part!r} is not in {FILES[clause.document]}"
    assert clause.citation.startswith(FILES[clause.document])


@pytest.mark.parametrize("name", [n for n in catalogue() if n != "lpr_1y"])
def test_every_parameter_quotes_its_document(name: str) -> None:
    param = catalogue()[name]
    seed = _seed(param.document)
    for part in re.split(r"……|…", param.quote):
        assert _plain(part) in seed, f"{name}: {part!r} is not in {FILES[param.document]}"


@pytest.mark.parametrize("clause", ALL, ids=lambda c: c.id)
def test_every_clause_is_documented(clause) -> None:
    assert f"`{clause.id}`" in DOCS, f"{clause.id} is missing from docs/policies.md"


def test_every_computed_clause_reads_its_parameters_from_a_file() -> None:
    """Amounts, rates and caps live in the parameter files, not in code: each computed clause has parameters."""
    names = catalogue()
    for clause in COMPUTED:
        doc = DOCUMENTS[clause.document]
        prefix = f"{doc.short}/{clause.number}."
        interest = clause.document == "HLJ-2026-EC20" and clause.number in ("1", "2", "5", "8a", "8b")
        assert any(n.startswith(prefix) for n in names) or interest, f"{clause.id} has no parameter"


def test_lpr_has_a_fixing_every_month_since_2023() -> None:
    dates = catalogue()["lpr_1y"].dates
    months = {(d.year, d.month) for d in dates}
    for year in range(2023, 2027):
        for month in range(1, 13):
            if (year, month) <= (2026, 11):
                assert (year, month) in months, f"no LPR fixing in {year}-{month:02d}"
