"""Targets (目标): the seeds' targets as migration 0003 stores them, who sees and edits them, and progress statements.

Scope decision: a city or county officer sees the province's targets, her own region's and those of the regions
above it (黑河市's officer and 爱辉区's both see 黑河市's targets), never another city's; only province_admin edits.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from livecommerce.accounts.actors import UserActor
from livecommerce.accounts.models import AuditEntry
from livecommerce.core.errors import NotFound, PermissionDenied, ValidationFailed
from livecommerce.core.scope import SystemActor
from livecommerce.stats import targets, targets_catalogue
from livecommerce.stats.models import COMPARISONS, Target
from livecommerce.stats.targets_catalogue import SEED_TARGETS, TARGET_INDICATORS, SeedTarget
from livecommerce.stats.targets_progress import progress

SEEDS_DIR = Path(__file__).resolve().parents[2] / "docs" / "seeds"  # copies of ../shared/seeds
ADMIN = UserActor(user_id=1, name="admin", role="province_admin")
ANALYST = UserActor(user_id=2, name="analyst", role="province_analyst")
HEIHE_OFFICER = UserActor(user_id=3, name="heihe_officer", role="city_officer", scope_region="231100")
AIHUI_OFFICER = UserActor(user_id=4, name="aihui_officer", role="county_officer", scope_region="231102")
HARBIN_OFFICER = UserActor(user_id=5, name="hrb_officer", role="city_officer", scope_region="230100")
ENTERPRISE = UserActor(user_id=6, name="bingcheng", role="enterprise", scope_entity="91230102MA1B000018")
INSPECTOR = UserActor(user_id=7, name="inspector", role="inspector")

PROVINCE_CODES = {seed.code for seed in SEED_TARGETS if seed.region_code == "230000"}
HEIHE_CODES = {seed.code for seed in SEED_TARGETS if seed.region_code == "231100"}


def seed(code: str) -> SeedTarget:
    return next(s for s in SEED_TARGETS if s.code == code)


def audit_lines(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --- the seeds -------------------------------------------------------------------------------------------------------


def test_the_2027_targets_of_000_are_seeded_with_their_figures() -> None:
    figures = {s.code: (s.target_value, s.unit, s.comparison) for s in SEED_TARGETS if s.code.startswith("p2027")}
    assert figures == {
        "p2027-online-retail": (Decimal("120000000000.00"), "元", "over"),  # 突破1200亿元
        "p2027-online-retail-growth": (Decimal("10000000000.00"), "元", "over"),  # 年均增长突破100亿元
        "p2027-live-entities": (Decimal("22000.00"), "家", "over"),  # 突破2.2万家
        "p2027-sellers-over-100m": (Decimal("40.00"), "家", "over"),  # 亿元级 突破40家
        "p2027-sellers-over-10m": (Decimal("400.00"), "家", "over"),  # 千万元级 突破400家
        "p2027-demonstration-bases": (Decimal("5.00"), "家", "at_least"),  # 示范基地(园区)5家
    }


def test_there_are_nine_targets_of_002_and_eight_of_heihe() -> None:
    assert len([s for s in SEED_TARGETS if s.document.startswith("002_")]) == 9
    assert len(HEIHE_CODES) == 8
    assert {seed(c).document for c in HEIHE_CODES} == {"003_50153b192cdc70d5.txt"}


def test_every_seed_target_quotes_its_document_word_for_word() -> None:
    if not SEEDS_DIR.exists():
        pytest.skip(f"{SEEDS_DIR} is not on this machine")
    for target in SEED_TARGETS:
        text = re.sub(r"\s*\n\s*", "", (SEEDS_DIR / target.document).read_text(encoding="utf-8"))
        assert target.quote in text, target.code
        assert target.clause.split()[-1] in text, target.code


def test_every_seed_target_is_well_formed() -> None:
    assert len({s.code for s in SEED_TARGETS}) == len(SEED_TARGETS)
    for target in SEED_TARGETS:
        assert target.indicator in TARGET_INDICATORS and target.comparison in COMPARISONS, target.code
        assert target.period_start < target.due_date, target.code
        digits = re.sub(r"\D", "", target.title)
        assert digits, target.code


def test_docs_list_every_seed_target_with_its_quote() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "targets.md").read_text(encoding="utf-8")
    for target in SEED_TARGETS:
        assert f"| `{target.code}` | {target.title} | `{target.indicator}` |" in docs, target.code
        assert f"> {target.quote}" in docs, target.code
        assert f"`{target.indicator}`" in docs.split("## Indicators the targets measure")[1], target.indicator


def test_seed_comparisons_follow_the_words_of_the_clause() -> None:
    assert seed("heihe2022-backbone-enterprises").comparison == "over"  # 超过 10 个: 10 is not enough
    assert seed("heihe2022-live-online-retail").comparison == "at_least"  # 实现直播带货销售 10 亿元: 10亿 is enough
    assert seed("p2027-online-retail").comparison == "over"  # 突破1200亿元: read as 超过


# --- the migration -------------------------------------------------------------------------------------------------


def test_the_migration_stores_every_seed_target(session: Session) -> None:
    stored = {t.code: {name: getattr(t, name) for name in targets.FIELDS} for t in list_all(session)}
    assert stored == {row["code"]: row for row in targets_catalogue.seed_rows()}
    assert {t.updated_by for t in list_all(session)} == {"migration 0003"}


def test_amounts_come_back_as_exact_decimals(session: Session) -> None:
    target = targets.get_target(session, ADMIN, "p2027-online-retail")
    assert isinstance(target.target_value, Decimal)
    assert target.target_value == Decimal("120000000000.00")


def list_all(session: Session) -> list[Target]:
    return targets.list_targets(session, SystemActor())


# --- who sees which targets ----------------------------------------------------------------------------------------


def codes(session: Session, actor: UserActor) -> set[str]:
    return {t.code for t in targets.list_targets(session, actor)}


def test_province_staff_see_every_target(session: Session) -> None:
    assert codes(session, ADMIN) == codes(session, ANALYST) == PROVINCE_CODES | HEIHE_CODES


def test_a_city_officer_sees_the_province_and_her_city(session: Session) -> None:
    assert codes(session, HEIHE_OFFICER) == PROVINCE_CODES | HEIHE_CODES


def test_another_citys_officer_does_not_see_heihes_targets(session: Session) -> None:
    assert codes(session, HARBIN_OFFICER) == PROVINCE_CODES
    with pytest.raises(NotFound):
        targets.get_target(session, HARBIN_OFFICER, "heihe2022-driven-output")


def test_a_county_officer_sees_the_targets_of_her_city_above_her(session: Session) -> None:
    assert codes(session, AIHUI_OFFICER) == PROVINCE_CODES | HEIHE_CODES


def test_an_enterprise_sees_the_published_province_targets_only(session: Session) -> None:
    assert codes(session, ENTERPRISE) == PROVINCE_CODES


def test_a_role_without_stats_read_sees_nothing(session: Session) -> None:
    assert codes(session, INSPECTOR) == set()


# --- editing ---------------------------------------------------------------------------------------------------------


def test_the_admin_updates_a_target_and_the_audit_log_has_before_and_after(session: Session) -> None:
    updated = targets.update_target(session, ADMIN, "p2027-online-retail", target_value=Decimal("130000000000"), note="调整后的目标")
    session.commit()
    assert (updated.target_value, updated.updated_by) == (Decimal("130000000000.00"), "admin")
    [line] = audit_lines(session, "target.update")
    before, after = json.loads(line.before or ""), json.loads(line.after or "")
    assert (line.actor, line.target_type, line.target_id) == ("admin", "target", "p2027-online-retail")
    assert (before["target_value"], after["target_value"]) == ("120000000000.00", "130000000000.00")
    assert after["note"] == "调整后的目标"
    assert {k for k in before if before[k] != after[k]} == {"target_value", "note"}


def test_an_update_that_changes_nothing_writes_no_audit_line(session: Session) -> None:
    targets.update_target(session, ADMIN, "p2027-online-retail", target_value="120000000000.00")
    assert audit_lines(session, "target.update") == []


def test_a_city_officer_cannot_edit_even_her_own_citys_target(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        targets.update_target(session, HEIHE_OFFICER, "heihe2022-driven-output", target_value=Decimal(1))
    with pytest.raises(PermissionDenied):
        targets.update_target(session, ANALYST, "p2027-online-retail", target_value=Decimal(1))
    assert audit_lines(session, "target.update") == []
    assert targets.get_target(session, ADMIN, "heihe2022-driven-output").target_value == Decimal("10000000000.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_value": 1.5}, "float"),
        ({"target_value": "1.005"}, "more than two decimals"),
        ({"target_value": "-1"}, "negative"),
        ({"comparison": "more"}, "not over"),
        ({"indicator": "happiness"}, "not one of"),
        ({"region_code": "110000"}, "not a region of Heilongjiang"),
        ({"due_date": date(2024, 12, 31)}, "before period_start"),
        ({"code": "renamed"}, "cannot change"),
        ({"colour": "red"}, "not a field"),
        ({"title": "  "}, "not empty"),
    ],
)
def test_bad_changes_are_refused_with_the_reason(session: Session, changes: dict, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        targets.update_target(session, ADMIN, "p2027-online-retail", **changes)


def test_the_admin_creates_a_city_target_and_it_is_audited(session: Session) -> None:
    fields = {
        **asdict(seed("heihe2022-driven-output")),
        "code": "harbin2027-online-retail",
        "region_code": "230100",
        "indicator": "online_retail",
        "title": "哈尔滨市测试目标",
    }
    created = targets.create_target(session, ADMIN, **fields)
    session.commit()
    assert (created.code, created.region_code, created.updated_by) == ("harbin2027-online-retail", "230100", "admin")
    [line] = audit_lines(session, "target.create")
    assert (line.target_id, line.before, json.loads(line.after or "")["region_code"]) == ("harbin2027-online-retail", None, "230100")
    assert "harbin2027-online-retail" in codes(session, HARBIN_OFFICER)
    with pytest.raises(ValidationFailed, match="exists already"):
        targets.create_target(session, ADMIN, **fields)


# --- progress: the 以上/超过 boundary --------------------------------------------------------------------------------------

AS_OF = date(2025, 6, 30)


def test_over_is_not_met_exactly_at_the_figure() -> None:
    result = progress(seed("p2027-live-entities"), Decimal(22000), [], AS_OF)  # 突破2.2万家
    assert (result.on_track, result.gap) == (False, Decimal(0))
    assert result.statement == (
        "按最新值(无月度序列，以最新值作为预测)，预计2027年末全省电商直播企业数量22,000家，"
        "恰好等于目标22,000家，但目标要求超过该数，不含本数(《民法典》第1259条)，未达进度"
    )


def test_over_is_met_one_above_the_figure() -> None:
    result = progress(seed("p2027-live-entities"), Decimal(22001), [], AS_OF)
    assert result.on_track
    assert result.statement.endswith("22,001家，高于目标22,000家1家，进度正常")


def test_at_least_is_met_exactly_at_the_figure() -> None:
    result = progress(seed("p2027-demonstration-bases"), Decimal(5), [], AS_OF)  # 示范基地5家
    assert result.on_track
    assert result.statement.endswith("5家，恰好达到目标5家，进度正常")


def test_at_least_is_not_met_one_below() -> None:
    result = progress(seed("p2027-demonstration-bases"), Decimal(4), [], AS_OF)
    assert not result.on_track
    assert result.statement.endswith("4家，低于目标5家1家，未达进度")
    assert result.share == Decimal("0.8000")


def test_over_on_money_one_fen_above_the_figure_is_met() -> None:
    target = seed("p2027-online-retail")
    assert progress(target, Decimal("120000000000.01"), [], AS_OF).on_track
    assert not progress(target, Decimal("120000000000.00"), [], AS_OF).on_track


# --- progress: statements ----------------------------------------------------------------------------------------------


def test_an_amount_statement_in_yi_with_half_up_rounding() -> None:
    # 1,180.245亿元 shows as 1,180.25 (half-up, not banker's 1,180.24); the gap 19.755亿元 as 19.76.
    result = progress(seed("p2027-online-retail"), Decimal("118024500000.00"), [], AS_OF)
    assert result.statement == (
        "按最新值(无月度序列，以最新值作为预测)，预计2027年末全省网络零售额1,180.25亿元，低于目标1,200.00亿元19.76亿元，未达进度"
    )
    assert result.gap == Decimal("-1975500000.00")
    assert result.share == Decimal("0.9835")  # 1180.245 / 1200 = 0.98354


def test_a_target_below_one_yi_speaks_in_wan() -> None:
    small = replace(seed("heihe2022-live-online-retail"), target_value=Decimal("5000000.00"))
    result = progress(small, Decimal("5200000.00"), [], date(2023, 3, 1))
    assert result.statement == "目标期已结束，2022年末黑河市直播带货销售额实际520.00万元，高于目标500.00万元20.00万元，已完成"


def test_a_closed_target_is_judged_on_its_actual_figure() -> None:
    result = progress(seed("p2022-live-online-retail"), Decimal("9500000000.00"), [], date(2025, 1, 1))
    assert (result.method, result.on_track) == ("closed", False)
    assert result.statement == "目标期已结束，2022年末全省直播带货销售额实际95.00亿元，低于目标100.00亿元5.00亿元，未完成"


YI = Decimal("100000000")
HALF_YI = YI / 2
SEASON = [Decimal(s) for s in ("1.2", "0.9", "0.8", "0.7", "0.7", "0.7", "0.7", "0.8", "1.1", "1.6", "1.7", "1.5")]


def online_retail(months: int) -> list[tuple[date, Decimal]]:
    """(100 + 2t) × S[month] × 0.5亿元 from 2023-01 (t = 0): 2024 totals 846.20亿, 2025 995.00亿, 2027 1,292.60亿
    (see test_forecast.py for the sums)."""
    return [(date(2023 + t // 12, t % 12 + 1, 1), (100 + 2 * t) * SEASON[t % 12] * HALF_YI) for t in range(months)]


def test_the_2027_online_retail_target_is_forecast_from_the_seasonal_series() -> None:
    series = online_retail(30)  # to 2025-06
    so_far = sum(value for month, value in series if month.year == 2025)
    result = progress(seed("p2027-online-retail"), so_far, series, AS_OF)
    assert result.method == "holt_winters_multiplicative"
    assert abs(result.forecast - Decimal("129260000000")) <= Decimal("129260000000") * Decimal("0.01")
    assert result.on_track and result.gap > 0
    assert result.statement.startswith("按当前趋势，预计2027年末全省网络零售额1,29")
    assert "90%区间" in result.statement and result.statement.endswith("进度正常")


def test_growth_compares_this_years_increase_with_the_target() -> None:
    series = online_retail(30)
    so_far = sum(value for month, value in series if month.year == 2025)  # 2025-01..06
    result = progress(seed("p2027-online-retail-growth"), so_far, series, AS_OF)
    # increase forecast: 995.00 − 846.20 = 148.80亿 against 100亿.
    assert abs(result.forecast - Decimal("14880000000")) <= Decimal("14880000000") * Decimal("0.02")
    # to date: Σ k<6 of (148+2k − (124+2k))·S[k]·0.5亿 = 24 × 5.0 × 0.5亿 = 60亿, i.e. 60% of 100亿.
    assert (result.achieved, result.share) == (Decimal("6000000000.00"), Decimal("0.6000"))
    assert result.on_track
    assert result.statement.startswith("按当前趋势，预计2025年全省网络零售额较上年增加14")
    assert "高于目标100.00亿元" in result.statement


def test_growth_without_last_years_total_is_refused() -> None:
    with pytest.raises(ValueError, match="2024's total"):
        progress(seed("p2027-online-retail-growth"), Decimal("1"), online_retail(30)[18:], AS_OF)


def test_growth_with_last_years_total_given_and_no_series() -> None:
    result = progress(
        seed("p2027-online-retail-growth"), Decimal("95000000000"), [], date(2025, 12, 31), previous_year_actual=Decimal("90000000000")
    )
    assert (result.forecast, result.on_track) == (Decimal("5000000000"), False)
    assert result.statement == ("按已完成值(无月度序列)，2025年全省网络零售额较上年增加50.00亿元，低于目标100.00亿元50.00亿元，未达进度")


def test_a_count_with_a_series_is_forecast_to_a_whole_number() -> None:
    counts = [(date(2025, m, 1), Decimal(15000 + 300 * (m - 1))) for m in range(1, 11)]  # +300 a month
    result = progress(seed("p2027-live-entities"), Decimal(17700), counts, date(2025, 10, 31))
    assert result.forecast == result.forecast.to_integral_value()
    assert abs(result.forecast - 25500) <= 100  # December 2027: 15,000 + 300 × 35
    assert result.statement.startswith("按当前趋势，预计2027年末全省电商直播企业数量25,")
