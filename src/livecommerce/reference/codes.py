"""Code lists of the feeds: categories (品类), platforms (平台), channels (渠道), cross-border types (跨境类型),
entity kinds (主体类型) and brand programs (品牌项目). A coded field accepts the code or its Chinese name
(DESIGN.md: Feeds); ``CodeList.parse`` is that rule, and ``CodeList.sql_map`` hands the same table to DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from livecommerce.core.errors import ValidationFailed


@dataclass(frozen=True)
class Code:
    """One entry of a code list: the canonical code, its Chinese name, other accepted spellings, and notes."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    local: bool | None = None
    source: str = ""


@dataclass(frozen=True)
class CodeList:
    """A closed list of codes; ``parse`` accepts a code, a Chinese name or an alias, case-insensitively."""

    name: str
    entries: tuple[Code, ...]
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for spelling in (entry.code, entry.name, *entry.aliases):
                self._lookup[spelling.strip().lower()] = entry.code

    def __iter__(self) -> Iterator[Code]:
        return iter(self.entries)

    @property
    def codes(self) -> list[str]:
        return [entry.code for entry in self.entries]

    def parse(self, value: str) -> str:
        """The canonical code for a code or Chinese name; ValidationFailed naming the accepted ones otherwise."""
        code = self._lookup.get(str(value).strip().lower())
        if code is None:
            raise ValidationFailed(f"{value!r} is not a {self.name} ({', '.join(self.codes)})")
        return code

    def label(self, code: str) -> str:
        """The Chinese name of a code."""
        for entry in self.entries:
            if entry.code == code:
                return entry.name
        raise ValidationFailed(f"{code!r} is not a {self.name}")

    def spellings(self) -> dict[str, str]:
        """Every accepted lower-case spelling → code (what ingest's SQL mapping tables are built from)."""
        return dict(self._lookup)


_GLOSSARY = "000_f467ed5c45ed642d.txt 附件2 名词解释 1 (地产品)"

CATEGORIES = CodeList(
    "category",
    (
        # 地产品 categories, from the glossary of 附件2: "农作物产品、林下产品、畜牧产品、水产品、特色美食、酒类产品、
        # 工艺品特产、中药材、果蔬产品等".
        Code("crops", "农作物产品", ("农作物",), True, _GLOSSARY),
        Code("forest", "林下产品", ("林下",), True, _GLOSSARY),
        Code("livestock", "畜牧产品", ("畜牧",), True, _GLOSSARY),
        Code("aquatic", "水产品", (), True, _GLOSSARY),
        Code("specialty_food", "特色美食", (), True, _GLOSSARY),
        Code("liquor", "酒类产品", ("酒类",), True, _GLOSSARY),
        Code("crafts", "工艺品特产", ("工艺品",), True, _GLOSSARY),
        Code("herbal", "中药材", (), True, _GLOSSARY),
        Code("fruit_veg", "果蔬产品", ("果蔬",), True, _GLOSSARY),
        # Goods that are not 地产品 by nature (a local seller may still sell them; local_product says which).
        Code("food_general", "食品饮料", ("食品",), False, "platform category"),
        Code("imported_food", "进口食品", (), False, "cross-border (004_9b296d9d69a709cc.txt 跨境电商)"),
        Code("apparel", "服装鞋帽", ("服装",), False, "platform category"),
        Code("household", "家居日用", ("日用品",), False, "platform category"),
        Code("beauty", "美妆个护", ("美妆",), False, "platform category"),
        Code("electronics", "数码家电", ("家电", "数码"), False, "platform category"),
        Code("services", "服务", ("服务类",), False, "non-physical: tickets, travel, local services"),
        Code("other", "其他", (), False, "anything else"),
    ),
)

PLATFORMS = CodeList(
    "platform",
    (
        Code("douyin", "抖音", ("抖店",)),
        Code("kuaishou", "快手"),
        Code("taobao", "淘宝"),
        Code("tmall", "天猫"),
        Code("jd", "京东"),
        Code("pdd", "拼多多"),
        Code("wechat_channels", "微信视频号", ("视频号",)),
        Code("xiaohongshu", "小红书"),
        Code("other", "其他平台", ("其他",)),
    ),
)

CHANNELS = CodeList(
    "channel",
    (
        Code("live", "直播", ("直播带货",)),
        Code("short_video", "短视频"),
        Code("shelf", "货架", ("货架电商", "商城")),
        Code("other", "其他"),
    ),
)

CROSS_BORDER = CodeList(
    "cross-border type",
    (
        Code("", "非跨境", ("无", "否", "none")),
        Code("import", "进口", ("跨境进口",)),
        Code("export", "出口", ("跨境出口",)),
    ),
)

ENTITY_KINDS = CodeList(
    "entity kind",
    (
        Code("enterprise", "企业", ("公司",)),
        Code("individual_business", "个体工商户", ("个体户",)),
        Code("cooperative", "农民专业合作社", ("合作社",)),
        Code("mcn", "MCN机构", ("MCN",)),
        Code("streamer_team", "主播团队"),
        Code("base_operator", "基地运营方", ("基地", "园区运营方")),
        Code("government", "政府部门", ("政府",)),
        Code("association", "行业协会", ("协会",)),
    ),
)

BRAND_PROGRAMS = CodeList(
    "brand program",
    (
        Code("heitu_youpin", "黑土优品", (), None, "001_0310c79971fe8977.txt 第二条; 000_f467ed5c45ed642d.txt 附件2 (十四)"),
        Code("jiuzhen_shibapin", "九珍十八品", (), None, "001_0310c79971fe8977.txt 附件1; 004_9b296d9d69a709cc.txt 12"),
        Code("heilongjiang_gift", "黑龙江礼物", (), None, "004_9b296d9d69a709cc.txt 12"),
        Code("longjiang_haowu", "龙江电商好物", (), None, "000_f467ed5c45ed642d.txt 附件1 25-29"),
    ),
)

BOOLEAN_TRUE = ("true", "1", "是", "y", "yes", "t")
BOOLEAN_FALSE = ("false", "0", "否", "n", "no", "f")


def parse_bool(value: object) -> bool:
    """A boolean feed field: true/false, 1/0, 是/否, Y/N (DESIGN.md: Feeds)."""
    text = str(value).strip().lower()
    if text in BOOLEAN_TRUE:
        return True
    if text in BOOLEAN_FALSE:
        return False
    raise ValidationFailed(f"{value!r} is not a boolean (true/false, 1/0, 是/否, Y/N)")
