"""The clause engine against hand-computed case tables (tests/policy/cases/*.yaml).

Each YAML case is one entity, one performance year and the awards expected from docs/policies.md and the policy
texts (000_f467ed5c45ed642d.txt 附件2, 004_9b296d9d69a709cc.txt), with the arithmetic written out in `why`.
The expected figures were computed by hand, independently of the engine; a failure here means either the engine
or the table misreads the policy, and the table's `why` says which reading it took.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from livecommerce.core.errors import ValidationFailed
from livecommerce.policy.evaluate import evaluate

CASES_DIR = Path(__file__).parent / "cases"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
PREFIX = {"LIVE20": "HLJ-2025-LIVE20", "EC20": "HLJ-2026-EC20", "FUND": "HLJ-2023-FUND"}
CASE_KEYS = {"name", "covers", "year", "ec20_years", "entity", "expect", "why"}
EXPECT_KEYS = {"eligible", "eligible_includes", "granted", "total", "not_eligible_includes"}
AMOUNT = re.compile(r"^\d+\.\d{2}$")


def full(clause: str) -> str:
    """'LIVE20/1a' → 'HLJ-2025-LIVE20/1a'; a full id is returned unchanged."""
    document, _, number = clause.partition("/")
    return f"{PREFIX[document]}/{number}" if document in PREFIX else clause


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((path.name, case))
    return out


CASES = _load()


def _no_floats(value: Any, where: str) -> None:
    """Guard against YAML typing mistakes in the tables: a float amount or an int per-year key."""
    if isinstance(value, float):
        raise AssertionError(f"{where}: float {value!r} in a case table; amounts are quoted strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, int) and not isinstance(key, bool):
                raise AssertionError(f'{where}: int key {key!r}; per-year keys are quoted ("2025")')
            _no_floats(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_floats(item, f"{where}[{i}]")


def _amounts(rows: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in rows:
        assert row["clause"] not in out, f"clause {row['clause']} listed twice: {rows}"
        out[row["clause"]] = row["amount"]
    return out


def _run(case: dict[str, Any]) -> dict[str, Any]:
    payload = {"year": case["year"], "entities": [copy.deepcopy(case["entity"])]}
    years = tuple(case["ec20_years"]) if case.get("ec20_years") is not None else None
    return evaluate(payload, ec20_years=years)


@pytest.mark.parametrize(("file", "case"), CASES, ids=[c["name"] for _, c in CASES])
def test_case(file: str, case: dict[str, Any]) -> None:
    assert set(case) <= CASE_KEYS, f"{file}: unknown keys {set(case) - CASE_KEYS}"
    assert set(case["expect"]) <= EXPECT_KEYS, f"{file}: unknown expect keys {set(case['expect']) - EXPECT_KEYS}"
    assert case.get("why"), "every case says how its figures were computed"
    _no_floats(case["entity"], case["entity"]["id"])
    expect = case["expect"]

    out = _run(case)

    assert out["year"] == case["year"]
    assert len(out["results"]) == 1
    result = out["results"][0]
    assert result["id"] == case["entity"]["id"]

    eligible = _amounts(result["eligible"])
    granted = _amounts(result["granted"])
    for amount in [*eligible.values(), *granted.values(), result["total"], out["total"]]:
        assert isinstance(amount, str) and AMOUNT.match(amount), f"amount {amount!r} is not a 2-decimal string"

    if "eligible" in expect:
        assert eligible == {full(k): v for k, v in expect["eligible"].items()}
    if "eligible_includes" in expect:
        for clause, amount in expect["eligible_includes"].items():
            assert eligible.get(full(clause)) == amount, f"{clause}: expected eligible {amount}, got {eligible}"
    assert granted == {full(k): v for k, v in expect["granted"].items()}
    assert result["total"] == expect["total"]
    assert out["total"] == expect["total"]

    # 从优、就高、不重复: an eligible award is either granted or excluded, with the reason in words.
    excluded = {row["clause"]: row for row in result["excluded"]}
    assert set(excluded) == set(eligible) - set(granted)
    for clause, row in excluded.items():
        assert row["amount"] == eligible[clause]
        assert str(row.get("reason") or "").strip(), f"{clause} excluded without a reason"
    for clause in granted:
        assert granted[clause] == eligible[clause], f"{clause} granted {granted[clause]} but eligible {eligible[clause]}"
        assert clause not in excluded

    if expect.get("not_eligible_includes"):
        not_eligible = {row["clause"]: row for row in result["not_eligible"]}
        for clause in expect["not_eligible_includes"]:
            assert full(clause) in not_eligible, f"{clause} missing from not_eligible: {sorted(not_eligible)}"
            assert str(not_eligible[full(clause)].get("reason") or "").strip(), f"{clause}: no reason given"

    for row in result["eligible"]:
        assert row.get("trace"), f"{row['clause']}: an eligible award carries its trace"


def _table_clauses() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Clauses", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(HLJ-[^`]+)` \|", section, flags=re.M)


def test_every_clause_has_an_ordinary_and_a_boundary_case() -> None:
    table = [c for c in _table_clauses() if c != "HLJ-2023-FUND/accept"]
    assert len(table) == 24, table
    counts = {clause: 0 for clause in table}
    for _, case in CASES:
        named = set(case.get("covers", []))
        named |= set(case["expect"].get("eligible", {})) | set(case["expect"].get("granted", {}))
        for clause in {full(c) for c in named}:
            assert clause in counts or clause == "HLJ-2023-FUND/accept", f"{case['name']}: unknown clause {clause}"
            if clause in counts:
                counts[clause] += 1
    thin = {clause: n for clause, n in counts.items() if n < 2}
    assert not thin, f"clauses with fewer than 2 cases: {thin}"


# ---------------------------------------------------------------- invalid input is refused whole


def _entity(ident: str, **facts: Any) -> dict[str, Any]:
    return {"id": ident, "kind": "enterprise", "in_province": True, "facts": facts}


def _problems(payload: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationFailed) as raised:
        evaluate(payload)
    problems = raised.value.problems
    assert problems, "ValidationFailed carries the problems"
    return problems


def _names(problems: list[Any], ident: str, field: str) -> bool:
    """Some problem names the entity (by id) and the field (in its column)."""
    for p in problems:
        text = " ".join(str(x) for x in (p.rule, p.column, p.value, p.row, str(p)) if x is not None)
        if ident in text and field in (p.column or ""):
            return True
    return False


def test_a_json_float_amount_is_rejected() -> None:
    payload = json.loads(
        '{"year": 2025, "entities": [{"id": "OK-1", "kind": "enterprise", "in_province": true, "facts": {}},'
        ' {"id": "FLOAT-1", "kind": "enterprise", "in_province": true, "facts":'
        ' {"local_physical_online_retail": {"2024": "0.00", "2025": 5000000.0}}}]}'
    )
    assert isinstance(payload["entities"][1]["facts"]["local_physical_online_retail"]["2025"], float)
    problems = _problems(payload)
    assert _names(problems, "FLOAT-1", "local_physical_online_retail"), [str(p) for p in problems]


def test_a_negative_amount_is_rejected() -> None:
    payload = {"year": 2025, "entities": [_entity("NEG-1", physical_online_retail={"2025": "-1.00"})]}
    problems = _problems(payload)
    assert _names(problems, "NEG-1", "physical_online_retail"), [str(p) for p in problems]


def test_an_unknown_kind_is_rejected() -> None:
    payload = {"year": 2025, "entities": [{"id": "KIND-1", "kind": "company", "in_province": True, "facts": {}}]}
    problems = _problems(payload)
    assert _names(problems, "KIND-1", "kind"), [str(p) for p in problems]


def test_a_malformed_year_key_is_rejected() -> None:
    payload = {"year": 2025, "entities": [_entity("YEAR-1", physical_online_retail={"25": "6000000.00"})]}
    problems = _problems(payload)
    assert _names(problems, "YEAR-1", "physical_online_retail"), [str(p) for p in problems]


def test_a_duplicate_id_is_rejected() -> None:
    payload = {"year": 2025, "entities": [_entity("DUP-1"), _entity("DUP-1")]}
    problems = _problems(payload)
    assert _names(problems, "DUP-1", "id"), [str(p) for p in problems]


def test_nothing_is_evaluated_from_a_file_with_one_error() -> None:
    """A valid entity next to an invalid one: the whole file is refused (no partial result)."""
    good = _entity("GOOD-1", national_demo_enterprise_recognized=2025)
    bad = _entity("BAD-1", physical_online_retail={"2025": "-5.00"})
    with pytest.raises(ValidationFailed):
        evaluate({"year": 2025, "entities": [good, bad]})
