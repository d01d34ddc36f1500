"""HLJ-2025-LIVE20: 000_f467ed5c45ed642d.txt 附件2 《黑龙江省加快电商直播产业高质量发展二十条措施(试行)》, the clauses that
state an amount. Each function reads its values from parameters/live20.yaml and records its reasoning in a Check."""

from __future__ import annotations

from decimal import Decimal

from livecommerce.policy.clause import (
    Clause,
    fixed_award,
    in_province,
    kinds_allowed,
    new_figure,
    not_received,
    recognized_in,
    year_figure,
)
from livecommerce.policy.documents import LIVE20
from livecommerce.policy.facts import Entity
from livecommerce.policy.parameters import Resolved
from livecommerce.policy.trace import Check, Finding, percent, yuan

LOCAL = "local_physical_online_retail"
PHYSICAL = "physical_online_retail"
LABELS = {LOCAL: "地产品实物网络零售额", PHYSICAL: "实物网络零售额"}
SRC = "000_f467ed5c45ed642d.txt 附件2"


def _base(check: Check, e: Entity, p: Resolved, name: str, year: int) -> tuple[str, str]:
    """The fact the amount is computed on (the letter: 实物网络零售额); where it is not declared, the 地产品 figure,
    a part of it, so that the award is never overstated."""
    fact = str(p[name])
    if fact == PHYSICAL and e.in_year(PHYSICAL, year) is None and e.in_year(LOCAL, year) is not None:
        check.note("未申报实物网络零售额: 以其组成部分地产品实物网络零售额计奖 (不高估)")
        fact = LOCAL
    return fact, LABELS.get(fact, fact)


def sales_new(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
    """附件2(一) first sentence: 2% of the new 实物网络零售额 when the new 地产品 amount is 500万以上, at most 300万."""
    ch = Check(c)
    if not (kinds_allowed(ch, e, p.kinds("LIVE20/1a.kinds"), "省内电商企业") and in_province(ch, e)):
        return ch.fail()
    new_local = new_figure(ch, e, LOCAL, y, LABELS[LOCAL])
    if not ch.at_least("年度新增地产品实物网络零售额", new_local, p.dec("LIVE20/1a.threshold")):
        return ch.fail()
    fact, label = _base(ch, e, p, "LIVE20/1a.base", y)
    new_base = new_local if fact == LOCAL else new_figure(ch, e, fact, y, label)
    rate = p.dec("LIVE20/1a.rate")
    return ch.grant(max(new_base, Decimal(0)) * rate, p.dec("LIVE20/1a.cap"), f"年度新增{label} {yuan(new_base)} × {percent(rate)}")


def sales_scale(number: str, who: str) -> object:
    """附件2(一) second sentence and (三): 2‰ of the year's 实物网络零售额 when the 地产品 amount reaches the threshold."""

    def compute(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
        ch = Check(c)
        if not (kinds_allowed(ch, e, p.kinds(f"LIVE20/{number}.kinds"), who) and in_province(ch, e)):
            return ch.fail()
        local = year_figure(ch, e, LOCAL, y, LABELS[LOCAL])
        if not ch.at_least("年度地产品实物网络零售额", local, p.dec(f"LIVE20/{number}.threshold")):
            return ch.fail()
        fact, label = _base(ch, e, p, f"LIVE20/{number}.base", y)
        base = local if fact == LOCAL else year_figure(ch, e, fact, y, label)
        rate = p.dec(f"LIVE20/{number}.rate")
        return ch.grant(base * rate, p.dec(f"LIVE20/{number}.cap"), f"年度{label} {yuan(base)} × {percent(rate)}")

    return compute


def demo_base(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
    """附件2(六): 30% of the investor's fixed-asset investment of the last three years, at most 500万; 在此基础上, a base
    newly recognised national gets 100万 more."""
    ch = Check(c)
    if not (recognized_in(ch, e, "provincial_demo_base_recognized", y, "省级电商直播示范基地(园区)认定年度") and not_received(ch, e, c, y)):
        if e.years.get("national_demo_base_recognized") == y:
            ch.note("国家级再奖 100万 以省级配套支持为基础 (在此基础上…再给予), 省级未认定则不单独给予")
        return ch.fail()
    investment = e.amounts.get("fixed_asset_investment_last_3_years")
    if not ch.test(investment is not None, "申报近三年固定资产投资额"):
        return ch.fail()
    assert investment is not None
    ch.input("近三年固定资产投资额", investment)
    rate, cap = p.dec("LIVE20/6.rate"), p.dec("LIVE20/6.cap")
    base = min((investment * rate).quantize(Decimal("0.01")), cap)
    ch.info(f"省级配套 {yuan(investment)} × {percent(rate)} = {yuan(investment * rate)}, 上限 {yuan(cap)}: 取 {yuan(base)}")
    addon = Decimal(0)
    national = e.years.get("national_demo_base_recognized")
    if national == y:
        addon = p.dec("LIVE20/6.national_addon")
        ch.info(f"{y} 年新认定为国家级电子商务示范基地(园区): 再给予 {yuan(addon)}")
    elif national is not None:
        ch.note(f"国家级认定年度 {national} 不是 {y}: 不再奖")
    return ch.grant(base + addon, None, f"省级配套 {yuan(base)} + 国家级再奖 {yuan(addon)}")


def share_of(
    number: str, fact: str, label: str, *, yearly: bool, kinds: str | None = None, who: str = "", recognized: tuple[str, str] | None = None
) -> object:
    """A share of an investment, capped: 附件2 (七), (十二), (十四)."""

    def compute(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
        ch = Check(c)
        if kinds and not kinds_allowed(ch, e, p.kinds(kinds), who):
            return ch.fail()
        if recognized and not recognized_in(ch, e, recognized[0], y, recognized[1]):
            return ch.fail()
        if c.once and not not_received(ch, e, c, y):
            return ch.fail()
        value = e.in_year(fact, y) if yearly else e.amounts.get(fact)
        value = value if value is not None else Decimal("0.00")
        ch.input(f"{label}{f' {y}' if yearly else ''}", value)
        if not ch.over(label, value, Decimal(0)):
            return ch.fail()
        rate = p.dec(f"LIVE20/{number}.rate")
        return ch.grant(value * rate, p.dec(f"LIVE20/{number}.cap"), f"{label} {yuan(value)} × {percent(rate)}")

    return compute


def public_brand(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
    """附件2(八): a regional public brand with 网络零售额 5000万以上 in the year earns its operator 50万, once."""
    ch = Check(c)
    sales = year_figure(ch, e, "public_brand_online_retail", y, "区域公共品牌年度网络零售额")
    if not (ch.at_least("区域公共品牌年度网络零售额", sales, p.dec("LIVE20/8.threshold")) and not_received(ch, e, c, y)):
        return ch.fail()
    amount = p.dec("LIVE20/8.amount")
    return ch.grant(amount, None, f"一次性 {yuan(amount)}")


def call_center(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
    """附件2(十六): a call centre with 100 (含) or more people insured for pensions in the previous year, up to 100万 once."""
    ch = Check(c)
    if not ch.test(e.call_center, "呼叫中心企业" if e.call_center else "不是呼叫中心企业"):
        return ch.fail()
    people = e.in_year("insured_employees", y - 1)
    ch.input(f"{y - 1} 年缴纳养老保险人数", people if people is not None else "未申报")
    if not (
        ch.at_least(f"上一年度({y - 1})缴纳养老保险人数", people or Decimal(0), p.dec("LIVE20/16.threshold"), "人")
        and not_received(ch, e, c, y)
    ):
        return ch.fail()
    amount = p.dec("LIVE20/16.amount")
    return ch.grant(amount, None, f"一次性, 不超过 {yuan(amount)} (按上限计)")


def _c(
    number: str,
    title: str,
    item: str,
    quote: str,
    who: str,
    rule: str,
    facts: set[str],
    compute: object,
    group: str | None = None,
    basis: str | None = None,
    once: bool = False,
) -> Clause:
    return Clause(
        id=f"{LIVE20}/{number}",
        document=LIVE20,
        title=title,
        citation=f"{SRC} {item}",
        quote=quote,
        who=who,
        rule=rule,
        facts=frozenset(facts),
        group=group,
        basis=basis,
        once=once,
        compute=compute,  # type: ignore[arg-type]
    )


SALES = {LOCAL, PHYSICAL}
CLAUSES: tuple[Clause, ...] = (
    _c(
        "1a",
        "新增地产品实物网络零售额奖励",
        "(一)",
        "对年度新增地产品实物网络零售额500万元以上的省内电商企业,按照年度新增实物网络零售额不超过2%的比例给予奖励,上限300万元。",
        "省内电商企业",
        "年度新增地产品实物网络零售额 ≥ 500万",
        SALES,
        sales_new,
        "sales",
        "sales_scale",
    ),
    _c(
        "1b",
        "地产品实物网络零售额2亿元以上奖励",
        "(一)",
        "对年度实现地产品实物网络零售额2亿元以上的省内电商企业,按照年度实物网络零售额不超过2‰的比例给予奖励,上限300万元。",
        "省内电商企业",
        "年度地产品实物网络零售额 ≥ 2亿",
        SALES,
        sales_scale("1b", "省内电商企业"),
        "sales",
        "sales_scale",
    ),
    _c(
        "2",
        "国家级电子商务示范企业奖励",
        "(二)",
        "对我省新认定的国家级电子商务示范企业给予100万元一次性奖励。",
        "我省企业",
        "当年新认定为国家级电子商务示范企业",
        {"national_demo_enterprise_recognized"},
        fixed_award("national_demo_enterprise_recognized", "国家级电子商务示范企业认定年度", "LIVE20/2.kinds", "我省企业"),
        basis="demo_enterprise",
        once=True,
    ),
    _c(
        "3",
        "电商直播主体规模经营奖励",
        "(三)",
        "对年度实现地产品实物网络零售额5000万元以上的电商直播主体(包括独立法人的主播团队、MCN机构),按照年度实物网络零售额不超过2‰的比例"
        "给予奖励,上限300万元。",
        "电商直播主体(主播团队、MCN机构)",
        "年度地产品实物网络零售额 ≥ 5000万",
        SALES,
        sales_scale("3", "电商直播主体"),
        "sales",
        "sales_scale",
    ),
    _c(
        "5",
        "省级电商直播示范县补助",
        "(五)",
        "通过竞争性评审认定不超过3家省级电商直播示范县(市、区),给予县(市、区)政府1000万元一次性补助",
        "县(市、区)政府",
        "当年认定为省级电商直播示范县(市、区)",
        {"provincial_demo_county_recognized"},
        fixed_award("provincial_demo_county_recognized", "省级电商直播示范县认定年度", "LIVE20/5.kinds", "县(市、区)政府"),
        basis="demo_county",
        once=True,
    ),
    _c(
        "6",
        "电商直播示范基地配套支持(含国家级再奖)",
        "(六)",
        "通过竞争性评审认定不超过5家省级电商直播示范基地(园区),给予投资方近三年固定资产投资额30%的省级配套支持,上限500万元,用于进一步"
        "完善基础设施。在此基础上,对新认定为国家级电子商务示范基地(园区)的,再给予100万元一次性奖励。",
        "示范基地投资方",
        "当年认定为省级电商直播示范基地; 国家级再奖",
        {"provincial_demo_base_recognized", "national_demo_base_recognized"},
        demo_base,
        basis="demo_base",
        once=True,
    ),
    _c(
        "7",
        "域外电商直播载体配套支持",
        "(七)",
        "支持市(地)、县(市、区)政府投资建设域外电商直播载体,对已建成并投入运营使用的,经省级主管部门认定后,给予投资方场地租赁、固定资产投资"
        "等投资额30%的省级配套支持,上限300万元。",
        "市(地)、县(市、区)政府",
        "当年经认定的域外载体",
        {"out_of_province_carrier_recognized", "out_of_province_carrier_investment"},
        share_of(
            "7",
            "out_of_province_carrier_investment",
            "域外载体投资额",
            yearly=False,
            kinds="LIVE20/7.kinds",
            who="市(地)、县(市、区)政府",
            recognized=("out_of_province_carrier_recognized", "域外载体认定年度"),
        ),
        basis="carrier",
    ),
    _c(
        "8",
        "区域公共品牌奖励",
        "(八)",
        "支持各市(地)政府打造电商直播区域公共品牌,对年度网络零售额达到5000万元以上的区域公共品牌,给予运营主体50万元一次性奖励。",
        "区域公共品牌运营主体",
        "品牌年度网络零售额 ≥ 5000万",
        {"public_brand_online_retail"},
        public_brand,
        basis="public_brand",
        once=True,
    ),
    _c(
        "12a",
        "省级中心仓配套支持",
        "(十二)",
        "支持配套完善省级中心仓和县(市)电商分拣仓(智慧仓),对年度内新建成并投入运营使用的,经省级主管部门认定后,给予投资方固定资产投资30%"
        "的省级配套支持,上限分别为500万元和300万元。",
        "省级中心仓投资方",
        "年度内新建成并经认定的省级中心仓",
        {"provincial_central_warehouse_investment"},
        share_of("12a", "provincial_central_warehouse_investment", "省级中心仓固定资产投资", yearly=True),
        basis="warehouse",
    ),
    _c(
        "12b",
        "县(市)电商分拣仓配套支持",
        "(十二)",
        "支持配套完善省级中心仓和县(市)电商分拣仓(智慧仓),对年度内新建成并投入运营使用的,经省级主管部门认定后,给予投资方固定资产投资30%"
        "的省级配套支持,上限分别为500万元和300万元。",
        "县(市)电商分拣仓投资方",
        "年度内新建成并经认定的县(市)分拣仓",
        {"county_sorting_warehouse_investment"},
        share_of("12b", "county_sorting_warehouse_investment", "县(市)分拣仓固定资产投资", yearly=True),
        basis="warehouse",
    ),
    _c(
        "14",
        "电商直播展会活动以奖代补",
        "(十四)",
        "支持各市(地)政府、行业协会举办电商直播展会和活动,对拟开展的电商直播相关展会、活动,经省级主管部门认定后,根据实际投入及取得的成效,"
        "采取“以奖代补”方式给予30%的省级配套支持,上限50万元,单个市(地)政府、行业协会限制支持一次。",
        "市(地)政府、行业协会",
        "经认定的展会活动投入",
        {"event_investment"},
        share_of("14", "event_investment", "经认定的展会活动实际投入", yearly=True, kinds="LIVE20/14.kinds", who="市(地)政府、行业协会"),
        basis="event",
        once=True,
    ),
    _c(
        "16",
        "呼叫中心一次性奖励",
        "(十六)",
        "对上一年度呼叫企业缴纳养老保险人数超过100(含)人以上的,给予不超过100万元一次性奖励。",
        "呼叫中心企业",
        "上一年度缴纳养老保险人数 ≥ 100",
        {"call_center", "insured_employees"},
        call_center,
        basis="call_center",
        once=True,
    ),
)
