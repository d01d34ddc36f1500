"""Names and numbers as they appear in real registers: 统一社会信用代码 with valid check digits, company names with
trade names (字号) and industry words, shop names per platform, streamer nicknames and platform identifiers.
"""

from __future__ import annotations

import random
from datetime import date

from faker import Faker
from stdnum.cn import uscc as stdnum_uscc

from livecommerce.demo.geography import city_short, county_prefix, official_name

# GB 32100 registration authority + entity type: 91 company, 92 个体工商户, 93 农民专业合作社, 11 机关, 51 社会团体.
USCC_PREFIX = {
    "enterprise": "91",
    "mcn": "91",
    "streamer_team": "91",
    "base_operator": "91",
    "individual_business": "92",
    "cooperative": "93",
    "government": "11",
    "association": "51",
}
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

TRADE_FIRST = "鑫瑞丰禾金宏华龙北黑谷林森雪冰福佳润恒兴嘉裕隆昌鸿天东大益鼎春秋松桦江岭垦香田玉绿野山川圣永宝"
TRADE_SECOND = "源丰盛泰达祥康华润鑫隆昌兴旺顺安诚信德福利宇腾远成通合乐美园仓谷林禾农泉峰"
INDUSTRY = {
    "crops": ("米业", "粮油", "农业科技", "生态农业", "农业发展"),
    "forest": ("林特产品", "山特产品", "食用菌", "绿色食品", "林业科技"),
    "livestock": ("肉制品", "食品", "牧业", "生态养殖", "畜牧"),
    "aquatic": ("水产", "渔业", "冷链食品"),
    "specialty_food": ("食品", "蜂业", "饮品", "酿造食品"),
    "liquor": ("酒业", "酿酒", "酒业销售"),
    "crafts": ("工艺品", "文化艺术品", "文创"),
    "herbal": ("参业", "中药材", "生物科技", "药材种植"),
    "fruit_veg": ("果业", "蔬菜种植", "果蔬", "生态农业"),
    "food_general": ("食品贸易", "商贸", "供应链管理"),
    "imported_food": ("经贸", "进出口贸易", "跨境电子商务"),
    "apparel": ("服饰", "服装", "皮草"),
    "household": ("家居用品", "日用品", "商贸"),
    "beauty": ("化妆品", "美容用品", "商贸"),
    "electronics": ("电器", "电子产品销售", "数码科技"),
    "services": ("旅游", "文化旅游", "国际旅行社"),
    "other": ("商贸", "宠物用品", "汽车用品"),
}
GOODS = {
    "crops": ("大米", "五谷杂粮", "粮油"),
    "forest": ("山珍", "木耳", "山货"),
    "livestock": ("红肠", "牛肉", "禽蛋"),
    "aquatic": ("鱼鲜", "江鱼", "水产"),
    "specialty_food": ("特产", "蜂蜜", "美食"),
    "liquor": ("酒行", "白酒", "酒坊"),
    "crafts": ("工艺品", "手工艺", "文创"),
    "herbal": ("参茸", "药材", "山参"),
    "fruit_veg": ("果蔬", "蓝莓", "鲜果"),
    "food_general": ("食品", "零食", "副食"),
    "imported_food": ("俄货", "俄罗斯食品", "进口食品"),
    "apparel": ("服饰", "女装", "皮草"),
    "household": ("家居", "百货", "日用"),
    "beauty": ("美妆", "化妆品", "护肤"),
    "electronics": ("电器", "数码", "家电"),
    "services": ("旅游", "票务", "旅行"),
    "other": ("百货", "宠物", "车品"),
}
COOP_WORK = {
    "crops": ("水稻种植", "大豆种植", "杂粮种植"),
    "forest": ("黑木耳种植", "食用菌种植", "林下经济"),
    "livestock": ("生猪养殖", "肉牛养殖", "大鹅养殖"),
    "aquatic": ("水产养殖", "渔业"),
    "specialty_food": ("养蜂", "农产品加工"),
    "herbal": ("中药材种植", "人参种植"),
    "fruit_veg": ("蓝莓种植", "蔬菜种植", "果蔬种植"),
}
PLATFORM_ID = {  # (prefix, digits) of shop IDs on each platform
    "douyin": ("", 8),
    "kuaishou": ("", 9),
    "taobao": ("", 9),
    "tmall": ("", 9),
    "jd": ("", 8),
    "pdd": ("", 9),
    "wechat_channels": ("wx", 14),
    "xiaohongshu": ("5f", 16),
    "other": ("OZON-", 7),
}


def org_code(rng: random.Random, founded: date) -> str:
    """A 9-character organisation code (GB 11714) with its check character; new registrations start with MA."""
    if founded.year >= 2016:
        body = "MA" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))  # GB 11714: A=10 … Z=35
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, kind: str, region: str, founded: date) -> str:
    """A 统一社会信用代码: authority and type, the region code, an organisation code and the GB 32100 check digit."""
    body = USCC_PREFIX[kind] + region + org_code(rng, founded)
    return body + stdnum_uscc.calc_check_digit(body)


def trade_name(rng: random.Random, fake: Faker) -> str:
    """A 字号 of two characters, sometimes a Faker one."""
    if rng.random() < 0.15:
        prefix = fake.company_prefix()
        if len(prefix) == 2:
            return prefix
    return rng.choice(TRADE_FIRST) + rng.choice(TRADE_SECOND)


def entity_name(rng: random.Random, fake: Faker, kind: str, region: str, category: str, zihao: str) -> str:
    """The registered name of a market entity of this kind, place and trade."""
    place = county_prefix(region)
    if kind == "enterprise":
        head = rng.choice(("黑龙江", place, place, city_short(region)))
        form = "股份有限公司" if rng.random() < 0.08 else "有限公司"
        return f"{head}{zihao}{rng.choice(INDUSTRY[category] + ('电子商务',))}{form}"
    if kind == "individual_business":
        shop = rng.choice(("店", "商行", "经销部"))
        name = f"{official_name(region)}{fake.last_name()}记{rng.choice(GOODS[category])}{shop}"
        return name + ("（个体工商户）" if rng.random() < 0.4 else "")
    if kind == "cooperative":
        work = rng.choice(COOP_WORK.get(category, COOP_WORK["crops"]))
        return f"{official_name(region)}{zihao}村{work}农民专业合作社"
    if kind == "mcn":
        trade = rng.choice(("文化传媒", "网络科技", "文化传播"))
        return f"{rng.choice(('黑龙江', city_short(region)))}{zihao}{trade}有限公司"
    if kind == "streamer_team":
        return f"{city_short(region)}{zihao}{rng.choice(('网络直播有限公司', '电商直播工作室', '传媒有限公司'))}"
    if kind == "base_operator":
        trade = rng.choice(("电子商务产业园运营管理", "直播基地管理", "数字产业园发展"))
        return f"{city_short(region)}{zihao}{trade}有限公司"
    raise ValueError(f"no name rule for {kind}")


def shop_name(rng: random.Random, fake: Faker, platform: str, zihao: str, region: str, category: str) -> str:
    """A shop's name in the style of its platform."""
    goods = rng.choice(GOODS[category])
    place = city_short(region) if rng.random() < 0.5 else county_prefix(region).rstrip("市县")
    styles = {
        "tmall": (f"{zihao}旗舰店", f"{zihao}官方旗舰店", f"{zihao}{goods}专卖店"),
        "jd": (f"{zihao}旗舰店", f"{zihao}{goods}官方旗舰店", f"{zihao}京东专卖店"),
        "douyin": (f"{zihao}官方旗舰店", f"{zihao}{goods}", f"{place}{goods}源头工厂", f"{zihao}的小店"),
        "kuaishou": (f"{fake.last_name()}哥东北{goods}", f"{zihao}优选", f"{place}老铁{goods}"),
        "taobao": (f"{zihao}{goods}店", f"{place}特产直销", f"{zihao}家的小店"),
        "pdd": (f"{zihao}{goods}专营店", f"{place}{goods}直发"),
        "wechat_channels": (f"{zihao}好物", f"{place}{goods}优选"),
        "xiaohongshu": (f"{zihao}的店", f"{zihao}生活馆"),
        "other": (f"{zihao}俄罗斯Ozon店", f"{zihao} Wildberries店"),
    }
    return rng.choice(styles[platform])


def personal_shop_name(rng: random.Random, fake: Faker, region: str, category: str) -> str:
    """A shop run by a person without a licence of its own."""
    goods = rng.choice(GOODS[category])
    return rng.choice(
        (
            f"{fake.last_name()}姐东北{goods}",
            f"{county_prefix(region)}{given_name(fake)}的{goods}铺",
            f"{city_short(region)}{fake.last_name()}家{goods}",
        )
    )


def given_name(fake: Faker) -> str:
    """A given name as friends say it: two characters, or 小 before a single one."""
    name = fake.first_name()
    return name if len(name) > 1 else "小" + name


def nickname(rng: random.Random, fake: Faker, region: str, category: str) -> str:
    """A streamer's nickname: place, goods and a persona, as viewers see it."""
    persona = rng.choice(("哥", "姐", "妹", "大叔", "小哥", "阿姨", "老妹儿"))
    place = county_prefix(region).rstrip("市县")
    styles = (
        f"{place}{rng.choice(GOODS[category])}{persona}",
        f"{fake.last_name()}{persona}在{city_short(region)}",
        f"东北{fake.last_name()}大{persona[-1]}",
        f"黑土地{given_name(fake)}",
        f"{given_name(fake)}的东北生活",
        f"龙江好物{rng.choice(('推荐官', '严选', '小助手'))}",
        f"{place}{given_name(fake)}",
    )
    name = rng.choice(styles)
    return name + (str(rng.choice((6, 8, 66, 88, 666, 888))) if rng.random() < 0.2 else "")


def scramble(index: int, digits: int) -> str:
    """``index`` mapped one-to-one onto ``digits`` decimal digits (for index < 10**digits): unique, not a counter."""
    return f"{(index * 7_368_787 + 1_234_567) % 10**digits:0{digits}d}"


def platform_id(platform: str, index: int, rng: random.Random) -> str:
    """A shop ID shaped like the platform's, unique through the index it embeds."""
    prefix, digits = PLATFORM_ID[platform]
    if prefix in ("wx", "5f"):
        return prefix + f"{index * 40503 % (1 << 24):06x}" + "".join(rng.choice("0123456789abcdef") for _ in range(digits - 6))
    return prefix + str(rng.randint(1, 9)) + scramble(index, digits - 1)
