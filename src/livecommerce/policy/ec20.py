"""HLJ-2026-EC20: 004_9b296d9d69a709cc.txt 《黑龙江省促进电子商务高质量发展若干政策措施》, the clauses that state an amount.
One legal entity gets at most one EC20 award a year (its closing paragraph), decided in exclusivity.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from livecommerce.policy.clause import Clause, fixed_award, in_province, new_figure, not_received, year_figure
from livecommerce.policy.documents import EC20
from livecommerce.policy.facts import PROJECTS, Entity
from livecommerce.policy.interest import loan_year
from livecommerce.policy.parameters import Resolved
from livecommerce.policy.trace import Check, Finding, percent, yuan

SRC = "004_9b296d9d69a709cc.txt"


def _interest(
    ch: Check, e: Entity, y: int, p: Resolved, project: str, min_investment: tuple[str, str] | None, cap_of: object
) -> Finding | None:
    """The year's interest subsidy on the entity's loans of one kind of project, capped per legal entity."""
    loans = [loan for loan in e.loans if loan.project == project]
    if not loans:
        return None
    months, basis = int(p.dec("EC20/interest.months")), p.dec("EC20/interest.day_basis")
    ch.input("项目类型", PROJECTS[project])
    qualifying = []
    for loan in loans:
        total = loan.project_total_investment
        if min_investment is not None:
            word, name = min_investment
            threshold = p.dec(name)
            ok = (total >= threshold) if word == "以上" else (total > threshold)
            sign = ("≥" if ok else "<") if word == "以上" else (">" if ok else "≤")
            if not ch.test(ok, f"{loan.label} 项目总投资额 {yuan(total)} {sign} {yuan(threshold)} ({word})"):
                continue
        qualifying.append(loan_year(loan, y, months, basis))
    if not qualifying:
        return ch.fail()
    for item in qualifying:
        ch.info(item.describe(basis)) if item.days else ch.note(f"{item.loan.label}: {y} 年不在贴息期内 (36个月或已还款)")
    if not ch.test(any(item.days for item in qualifying), f"{y} 年有贴息期内的计息天数"):
        return ch.fail()
    cap = cap_of(qualifying, ch)  # type: ignore[operator]
    received = e.subsidies_received.get(ch.clause.id, Decimal("0.00"))
    if received:
        ch.input("此前已获本条贴息", received)
        cap = max(cap - received, Decimal("0.00"))
        ch.info(f"单一法人主体上限扣除此前已获 {yuan(received)} 后剩余 {yuan(cap)}")
    raw = sum((item.amount for item in qualifying), Decimal("0.00"))
    return ch.grant(raw, cap, " + ".join(yuan(item.amount) for item in qualifying if item.days) or "0")


def loan_clause(project: str, min_investment: tuple[str, str] | None, cap: str) -> object:
    """EC20 2、5、8: interest on loans of one kind of project, over a total-investment threshold, at most ``cap``."""

    def compute(e: Entity, y: int, p: Resolved, c: Clause) -> Finding | None:
        if not any(loan.project == project for loan in e.loans):
            return None
        ch = Check(c)
        if c.number == "2" and not in_province(ch, e):
            return ch.fail()

        def fixed_cap(_items: object, _check: Check) -> Decimal:
            return p.dec(cap)

        return _interest(ch, e, y, p, project, min_investment, fixed_cap)

    return compute


def quality_project(e: Entity, y: int, p: Resolved, c: Clause) -> Finding | None:
    """EC20 1: interest on loans of a quality entity's new project; the cap per legal entity follows the tier of the
    project's total investment: 500万–3000万(含) at most 200万, 超过3000万 at most 1000万."""
    if not any(loan.project == "quality_project" for loan in e.loans):
        return None
    ch = Check(c)
    quality = e.flags.get("quality_ecommerce_entity", False)
    if not ch.test(quality, "优质电商主体 (互联网百强、头部电商平台、专精特新、独角兽等)"):
        return ch.fail()
    low, high = p.dec("EC20/1.tier_max"), p.dec("EC20/1.cap_high")

    def cap(items: list[Any], check: Check) -> Decimal:
        above = any(item.loan.project_total_investment > low for item in items)
        chosen = high if above else p.dec("EC20/1.cap_low")
        check.info(
            f"项目总投资额{'超过' if above else '在500万元至'}{yuan(low)}{'' if above else '(含)'}: 单一法人主体最高贴息 {yuan(chosen)}"
        )
        return chosen

    return _interest(ch, e, y, p, "quality_project", ("以上", "EC20/1.tier_min"), cap)


def new_sales(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
    """EC20 3: a 限上在统 enterprise whose new 实物网络零售额 is 超过1000万 gets 2% of it, at most 300万."""
    ch = Check(c)
    if not ch.test(e.above_quota, "限额以上在统企业" if e.above_quota else "不是限额以上在统企业"):
        return ch.fail()
    new = new_figure(ch, e, "physical_online_retail", y, "实物网络零售额")
    if not ch.over("年度新增实物网络零售额", new, p.dec("EC20/3.threshold")):
        return ch.fail()
    rate = p.dec("EC20/3.rate")
    return ch.grant(new * rate, p.dec("EC20/3.cap"), f"年度新增实物网络零售额 {yuan(new)} × {percent(rate)}")


def first_reach(number: str, trade: str, costs: str, trade_label: str, costs_label: str) -> object:
    """EC20 4: the year's trade reaches the amount for the first time (首次达到) → 50% of the year's costs, at most 50万."""

    def compute(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
        ch = Check(c)
        value = year_figure(ch, e, trade, y, trade_label)
        threshold = p.dec(f"EC20/{number}.threshold")
        if not ch.at_least(f"{y} 年{trade_label}", value, threshold):
            return ch.fail()
        earlier = sorted(year for year, amount in e.yearly.get(trade, {}).items() if year < y and amount >= threshold)
        if not ch.test(not earlier, "此前年度未达到 (首次达到)" if not earlier else f"{'、'.join(map(str, earlier))} 年已达到, 不是首次"):
            return ch.fail()
        spent = e.in_year(costs, y)
        if not ch.test(spent is not None, f"申报 {y} 年{costs_label}"):
            return ch.fail()
        assert spent is not None
        ch.input(f"{costs_label} {y}", spent)
        rate = p.dec(f"EC20/{number}.rate")
        return ch.grant(spent * rate, p.dec(f"EC20/{number}.cap"), f"{costs_label} {yuan(spent)} × {percent(rate)}")

    return compute


def selection_center(e: Entity, y: int, p: Resolved, c: Clause) -> Finding:
    """EC20 7: a selection centre driving 超过5000万 of 限上 enterprises' online sales gets 50% of its last three years'
    investment in infrastructure and equipment, at most 100万, once."""
    ch = Check(c)
    driven = year_figure(ch, e, "selection_center_driven_sales", y, "带动限上在统企业网络销售额")
    if not (ch.over("带动限上在统企业年度网络销售额", driven, p.dec("EC20/7.threshold")) and not_received(ch, e, c, y)):
        return ch.fail()
    investment = e.amounts.get("fixed_asset_investment_last_3_years")
    if not ch.test(investment is not None, "申报近三年基础设施建设、设备购置实际投资额"):
        return ch.fail()
    assert investment is not None
    ch.input("近三年基础设施建设、设备购置实际投资额", investment)
    rate = p.dec("EC20/7.rate")
    return ch.grant(investment * rate, p.dec("EC20/7.cap"), f"近三年实际投资额 {yuan(investment)} × {percent(rate)}")


def _c(
    number: str, title: str, item: str, quote: str, who: str, rule: str, facts: set[str], compute: object, basis: str, once: bool = False
) -> Clause:
    return Clause(
        id=f"{EC20}/{number}",
        document=EC20,
        title=title,
        citation=f"{SRC} {item}",
        quote=quote,
        who=who,
        rule=rule,
        facts=frozenset(facts),
        group="EC20",
        basis=basis,
        once=once,
        compute=compute,  # type: ignore[arg-type]
    )


LPR = "按照同期中国人民银行一年期贷款市场报价利率(LPR)据实贴息,贴息期限不超过36个月"
CLAUSES: tuple[Clause, ...] = (
    _c(
        "1",
        "优质电商主体新建项目贷款贴息",
        "一、1",
        f"对投资主体用于基础设施建设、设备购置等的银行贷款,{LPR},对总投资额500万元至3000万元(含)的新建项目,单一法人主体最高贴息不超过200万元;"
        "对总投资额超过3000万元的,单一法人主体最高贴息不超过1000万元。",
        "优质电商主体",
        "新建项目总投资 ≥ 500万",
        {"loans"},
        quality_project,
        "loan_interest",
    ),
    _c(
        "2",
        "电商平台项目贷款贴息",
        "一、2",
        f"对总投资额超过300万元的电商平台项目,其用于平台建设或改造升级等的银行贷款,{LPR},单一法人主体最高贴息不超过200万元。",
        "省内电商企业",
        "平台项目总投资 > 300万",
        {"loans"},
        loan_clause("platform", ("超过", "EC20/2.min_investment"), "EC20/2.cap"),
        "loan_interest",
    ),
    _c(
        "3",
        "限上企业新增实物网络零售额奖励",
        "一、3",
        "对限额以上在统企业年度新增实物网络零售额超过1000万元的电商企业,按年度新增实物网络零售额的2%给予奖励,上限300万元。",
        "限额以上在统电商企业",
        "年度新增实物网络零售额 > 1000万",
        {"physical_online_retail", "local_physical_online_retail"},
        new_sales,
        "sales_scale",
    ),
    _c(
        "4a",
        "跨境电商独立站补贴",
        "一、4",
        "对年度进出口额首次达到500万元的跨境电商独立站,给予当年网站建设、(云)服务器租赁费用50%一次性补贴,单一法人主体年度最高补贴不超过50万元。",
        "跨境电商独立站",
        "进出口额首次达到 500万",
        {"independent_site_trade", "independent_site_costs"},
        first_reach("4a", "independent_site_trade", "independent_site_costs", "独立站进出口额", "网站建设、(云)服务器租赁费用"),
        "cross_border",
    ),
    _c(
        "4b",
        "第三方跨境平台店铺补贴",
        "一、4",
        "对在第三方跨境电商平台开设店铺,且年度进出口额首次达到1000万元的跨境电商企业,给予当年入驻平台费和宣传推广费50%一次性补贴,"
        "单一法人主体年度最高补贴不超过50万元。",
        "第三方平台跨境电商企业",
        "进出口额首次达到 1000万",
        {"platform_store_trade", "platform_store_fees"},
        first_reach("4b", "platform_store_trade", "platform_store_fees", "平台店铺进出口额", "入驻平台费和宣传推广费"),
        "cross_border",
    ),
    _c(
        "5",
        "电商基地数转智改贷款贴息",
        "二、5",
        f"对总投资额超过100万元的改造项目,其用于提升基地(园区)运营服务能力和数智化水平等的银行贷款,{LPR},单一法人主体最高贴息不超过100万元。",
        "电商基地(园区)",
        "改造项目总投资 > 100万",
        {"loans"},
        loan_clause("base_upgrade", ("超过", "EC20/5.min_investment"), "EC20/5.cap"),
        "loan_interest",
    ),
    _c(
        "6a",
        "国家电子商务示范基地奖励",
        "二、6",
        "对新获评的国家电子商务示范基地给予100万元一次性奖励",
        "示范基地",
        "当年新获评国家电子商务示范基地",
        {"national_demo_base_recognized"},
        fixed_award("national_demo_base_recognized", "国家电子商务示范基地获评年度"),
        "demo_base",
        once=True,
    ),
    _c(
        "6b",
        "省级电子商务创新标杆基地奖励",
        "二、6",
        "对获评的省级电子商务创新标杆基地(园区)给予50万元一次性奖励。",
        "标杆基地",
        "当年获评省级电子商务创新标杆基地",
        {"provincial_benchmark_base_recognized"},
        fixed_award("provincial_benchmark_base_recognized", "省级电子商务创新标杆基地获评年度"),
        "demo_base",
        once=True,
    ),
    _c(
        "7",
        "特色选品中心一次性补助",
        "二、7",
        "对带动限额以上在统企业年度网络销售额超过5000万元的电商选品中心(平台),按照近三年用于基础设施建设、设备购置实际投资额的50%给予一次性"
        "资金补助,上限100万元。",
        "电商选品中心(平台)",
        "带动限上企业网络销售额 > 5000万",
        {"selection_center_driven_sales"},
        selection_center,
        "selection_center",
        once=True,
    ),
    _c(
        "8a",
        "仓储物流项目贷款贴息",
        "二、8",
        f"对总投资额超过500万元的仓储物流项目,其用于仓储建设或智慧化改造等的银行贷款,{LPR},单一法人主体最高贴息不超过300万元。",
        "电商企业",
        "仓储物流项目总投资 > 500万",
        {"loans"},
        loan_clause("warehouse", ("超过", "EC20/8a.min_investment"), "EC20/8a.cap"),
        "loan_interest",
    ),
    _c(
        "8b",
        "跨境仓储设施贷款贴息",
        "二、8",
        f"对企业建设集货仓、前置仓、海外智能仓等仓储设施项目的银行贷款,{LPR},单一法人主体最高贴息不超过500万元。",
        "电商企业",
        "跨境仓储设施项目",
        {"loans"},
        loan_clause("cross_border_warehouse", None, "EC20/8b.cap"),
        "loan_interest",
    ),
    _c(
        "19",
        "全国网络市场监管与服务示范区奖励",
        "六、19",
        "对新认定的全国网络市场监管与服务示范区,给予创建市(地)政府(行署)100万元一次性奖励。",
        "市(地)政府(行署)",
        "当年新认定为全国网络市场监管与服务示范区",
        {"national_market_supervision_demo_zone_recognized"},
        fixed_award(
            "national_market_supervision_demo_zone_recognized", "全国网络市场监管与服务示范区认定年度", "EC20/19.kinds", "市(地)政府(行署)"
        ),
        "supervision_zone",
        once=True,
    ),
)
