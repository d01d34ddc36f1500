"""Every clause the platform knows: those computed (LIVE20, EC20), the 助企行动 acceptance (computed in acceptance.py),
and those decided case by case (一事一议), which are listed and computed by nobody."""

from __future__ import annotations

from livecommerce.core.errors import NotFound
from livecommerce.policy import ec20, live20
from livecommerce.policy.clause import Clause
from livecommerce.policy.documents import EC20, FUND, LIVE20, full_clause_id

ACCEPTANCE = Clause(
    id=f"{FUND}/accept",
    document=FUND,
    title="助企行动服务对象验收补助",
    citation="001_0310c79971fe8977.txt 附件1 三(三)(四)",
    quote="服务周期不少于6个月……①直播时长不低于60小时;②发布短视频不低于20条;③新开设的店铺服务期内至少2个月的单月店铺销售额不低于10万元"
    "人民币;④非新开设的店铺服务期内至少2个月的单月店铺销售额同比增长20%以上且增加绝对值不低于10万元人民币。……对确认达标的每个服务对象"
    "按照不超过2.27万元的标准给予服务主体资金补助。",
    who="助企行动服务主体 (按达标服务对象计)",
    rule="服务对象验收达标",
    basis=None,
)


def _case(number: str, document: str, title: str, citation: str, quote: str, who: str) -> Clause:
    return Clause(
        id=f"{document}/{number}",
        document=document,
        title=title,
        citation=citation,
        quote=quote,
        who=who,
        rule="一事一议 / 未规定金额, 不计算",
        case_by_case=True,
    )


CASE_BY_CASE: tuple[Clause, ...] = (
    _case(
        "7-province",
        LIVE20,
        "省外电商直播共享基地等 (省级行业主管部门)",
        "000_f467ed5c45ed642d.txt 附件2 (七)",
        "支持省级行业主管部门……在省外建设电商直播共享基地、展示选品中心、前置仓储中心等,根据实际投入情况采取“一事一议”方式给予支持。",
        "省级行业主管部门",
    ),
    _case(
        "8-province",
        LIVE20,
        "“龙江电商好物”标准体系",
        "000_f467ed5c45ed642d.txt 附件2 (八)",
        "支持省级行业主管部门打造“龙江电商好物”标准体系,根据实际投入情况采取“一事一议”方式给予支持。",
        "省级行业主管部门",
    ),
    _case(
        "14-province",
        LIVE20,
        "省级电商直播营销活动",
        "000_f467ed5c45ed642d.txt 附件2 (十四)",
        "支持举办“中国主播龙江行”……等省级电商直播、营销比赛等活动……根据活动规模,采取“一事一议”方式确定预算。",
        "活动承办方",
    ),
    _case(
        "14",
        EC20,
        "省级龙江电商活动品牌",
        "004_9b296d9d69a709cc.txt 四、14",
        "举办“龙江名县优品”“中国主播龙江行”“龙江互联网营销大赛”等省级电商营销推广、技能竞赛及培训活动……根据活动实际投入给予资金支持。",
        "活动承办方",
    ),
    _case(
        "zone",
        FUND,
        "龙江电商好物网络专区营销推广 (附件2)",
        "001_0310c79971fe8977.txt 第六条 方向(二)",
        "方向（二）资金拟使用3000万元,通过政府采购方式确定电商平台……按照年度销售规模分档给予相应促销支持",
        "电商平台 (政府采购)",
    ),
    _case(
        "events",
        FUND,
        "直播电商生态建设工程 (附件3)",
        "001_0310c79971fe8977.txt 第六条 方向(三)",
        "方向（三）资金拟使用600万元,通过政府采购方式确定服务主体和服务方案,单项活动的经费预算不超过300万元。",
        "活动服务主体 (政府采购)",
    ),
)

COMPUTED: tuple[Clause, ...] = live20.CLAUSES + ec20.CLAUSES
ALL: tuple[Clause, ...] = COMPUTED + (ACCEPTANCE,) + CASE_BY_CASE
BY_ID = {clause.id: clause for clause in ALL}
ORDER = {clause.id: i for i, clause in enumerate(ALL)}


def get(clause_id: str) -> Clause:
    """A clause by its id, full ('HLJ-2025-LIVE20/1a') or short ('LIVE20/1a')."""
    clause = BY_ID.get(full_clause_id(clause_id))
    if clause is None:
        raise NotFound(f"no clause {clause_id!r}; `livecommerce policy clauses` lists them")
    return clause
