"""The catalogue of targets is data (stats/data/targets.yaml): it reads back as the seeds' targets, and an entry that
breaks a rule is refused naming the file, the entry, the field and the rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from livecommerce.core.errors import ValidationFailed
from livecommerce.stats import targets_catalogue
from livecommerce.stats.targets_catalogue import SEED_TARGETS, TARGET_INDICATORS, parse

ENTRY = """
indicators:
  live_entities: {name: 电商直播企业数量, kind: count}
targets:
  - code: t-one
    title: 到2027年底电商直播企业数量突破2.2万家
    indicator: live_entities
    region_code: "230000"
    target_value: "22000"
    unit: 家
    comparison: over
    period_start: 2025-01-01
    due_date: 2027-12-31
    document: 000_f467ed5c45ed642d.txt
    clause: 附件1 一、工作目标
    quote: 电商直播企业数量突破2.2万家
"""


def refusal(text: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        parse(text, "targets-test.yaml")
    return caught.value


def test_the_file_beside_the_code_holds_the_23_seed_targets_and_17_indicators() -> None:
    assert len(SEED_TARGETS) == 23 and len(TARGET_INDICATORS) == 17
    first = SEED_TARGETS[0]
    assert (first.code, first.target_value, first.comparison) == ("p2027-online-retail", Decimal("120000000000.00"), "over")
    assert TARGET_INDICATORS["online_retail_growth"].kind == "growth"


def test_a_well_formed_entry_reads_with_an_empty_note_and_an_exact_figure() -> None:
    indicators, [target] = parse(ENTRY, "targets-test.yaml")
    assert set(indicators) == {"live_entities"}
    assert (target.code, target.target_value, target.note) == ("t-one", Decimal("22000.00"), "")


def test_a_broken_comparison_is_refused_with_file_entry_field_and_rule() -> None:
    error = refusal(ENTRY.replace("comparison: over", "comparison: more"))
    assert str(error) == "targets-test.yaml, entry t-one (#1), field comparison: 'more' is not over (超过) or at_least (以上/达到)"
    [problem] = error.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("targets-test.yaml", 1, "comparison", "more")


def test_a_float_figure_and_a_missing_quote_are_both_named() -> None:
    error = refusal(ENTRY.replace('target_value: "22000"', "target_value: 22000.5").replace("    quote: 电商直播企业数量突破2.2万家\n", ""))
    assert [(p.column, p.rule) for p in error.problems] == [
        ("quote", "missing"),
        ("target_value", "money must not be a float; pass a string or Decimal"),
    ]
    assert "entry t-one (#1), field quote: missing" in str(error)


def test_a_due_date_before_the_start_is_refused() -> None:
    error = refusal(ENTRY.replace("due_date: 2027-12-31", "due_date: 2024-12-31"))
    assert str(error).endswith("field due_date: 2024-12-31 is before period_start 2025-01-01")


def test_an_unknown_indicator_and_an_unknown_region_are_refused() -> None:
    error = refusal(ENTRY.replace("indicator: live_entities", "indicator: happiness").replace('"230000"', '"110000"'))
    assert [(p.column, p.rule) for p in error.problems] == [
        ("indicator", "'happiness' is not one of live_entities"),
        ("region_code", "'110000' is not a region of Heilongjiang"),
    ]


def test_a_code_that_appears_twice_is_refused_at_its_second_entry() -> None:
    twice = ENTRY + ENTRY.split("targets:\n")[1]
    error = refusal(twice)
    assert str(error) == "targets-test.yaml, entry t-one (#2), field code: t-one appears twice"


def test_an_indicator_of_an_unknown_kind_is_refused() -> None:
    error = refusal(ENTRY.replace("kind: count", "kind: feeling"))
    assert str(error).startswith("targets-test.yaml: indicator live_entities: {name: 中文名, kind: amount | growth | count}")


def test_seed_rows_are_the_catalogue_as_plain_rows() -> None:
    rows = targets_catalogue.seed_rows()
    assert [row["code"] for row in rows] == [target.code for target in SEED_TARGETS]
    assert set(rows[0]) == set(targets_catalogue.FIELDS)
