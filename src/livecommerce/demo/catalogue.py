"""The product catalogue (商品目录) of the synthetic province: real local specialities (地产品) with the counties they
come from, goods that are not local, Russian foods imported through 黑河 and 绥芬河, and local tickets and tours.

Prices are in fen (integers) so amounts stay exact. Category codes are those of reference.codes.CATEGORIES.
蓝莓 appears twice on purpose: cultivated fresh blueberries from 伊春 are 果蔬产品 (fruit_veg), while wild blueberries
picked under the forest canopy of 大兴安岭 and sold dried or as 原浆 are 林下产品 (forest), as the glossary of
000_f467ed5c45ed642d.txt 附件2 counts 林下产品 separately from 果蔬产品.
"""

from __future__ import annotations

from dataclasses import dataclass

from livecommerce.reference.codes import CATEGORIES

HEIHE_PORT = "231102"  # 黑河市爱辉区: the 黑河 port and bonded warehouse
SUIFENHE_PORT = "231081"  # 绥芬河市
PORTS = (HEIHE_PORT, SUIFENHE_PORT)


@dataclass(frozen=True)
class Spec:
    """One pack of a product: label for the title, price relative to the base pack (percent), shipping weight."""

    label: str
    price_pct: int
    grams: int


@dataclass(frozen=True)
class Product:
    """A kind of goods sold online: name, category, home counties (where it is produced), price range and packs."""

    key: str
    name: str
    category: str
    home: tuple[str, ...]
    price_fen: tuple[int, int]
    specs: tuple[Spec, ...]
    profile: str = "flat"
    words: tuple[str, ...] = ()
    cross_border: str = ""
    physical: bool = True

    @property
    def local(self) -> bool:
        """地产品: produced or processed in the province (the category says so; imports and services never are)."""
        return bool(next(code for code in CATEGORIES if code.code == self.category).local)


def _specs(text: str) -> tuple[Spec, ...]:
    """'5kg:100:5000|10kg:190:10000' → packs."""
    return tuple(Spec(label, int(pct), int(grams)) for label, pct, grams in (s.split(":") for s in text.split("|")))


def _p(
    key: str,
    name: str,
    category: str,
    home: str,
    lo: int,
    hi: int,
    specs: str,
    profile: str = "flat",
    words: str = "",
    cross_border: str = "",
    physical: bool = True,
) -> Product:
    return Product(
        key, name, category, tuple(home.split()), (lo * 100, hi * 100), _specs(specs), profile, tuple(words.split()), cross_border, physical
    )


LOCAL: tuple[Product, ...] = (
    # 农作物产品
    _p(
        "wuchang_rice",
        "五常大米 稻花香2号",
        "crops",
        "230184",
        59,
        139,
        "5kg:100:5200|10kg:190:10300|2.5kg*2袋:105:5300",
        "harvest",
        "当季新米 东北大米 产地直发",
    ),
    _p("xiangshui_rice", "响水大米 石板地", "crops", "231084", 79, 168, "5kg:100:5200|2.5kg:55:2650", "harvest", "镜泊湖畔 新米"),
    _p("fangzheng_rice", "方正富硒大米", "crops", "230124", 45, 89, "5kg:100:5200|10kg:185:10300", "harvest", "东北珍珠米"),
    _p("qingan_rice", "庆安绿色大米 长粒香", "crops", "231224", 39, 79, "5kg:100:5200|10kg:185:10300", "harvest", "新米"),
    _p(
        "soybean",
        "东北非转基因大豆",
        "crops",
        "230229 231183 231283",
        19,
        49,
        "2.5kg:100:2600|5kg:185:5200",
        "harvest",
        "黑土地 打豆浆 发豆芽",
    ),
    _p(
        "fresh_corn",
        "鲜食黏玉米 真空包装",
        "crops",
        "231282 231221 231223",
        29,
        69,
        "10穗:100:2800|20穗:180:5500",
        "harvest",
        "甜糯 即食 东北黏玉米",
    ),
    _p("millet", "东北黄小米", "crops", "230221 230622", 25, 59, "2.5kg:100:2600|5kg:180:5200", "flat", "月子米 新米"),
    _p("grain_gift", "东北杂粮礼盒", "crops", "230281 231202", 59, 129, "10种*400g:100:4300", "gift", "五谷杂粮 送礼"),
    # 林下产品
    _p("dongning_fungus", "东宁黑木耳 秋耳", "forest", "231086", 29, 89, "250g:100:300|500g:190:560", "flat", "肉厚无根 干货"),
    _p("hailin_fungus", "海林黑木耳 小碗耳", "forest", "231083", 35, 95, "250g:100:300|500g:190:560", "flat", "椴木 干货"),
    _p("shangzhi_fungus", "尚志黑木耳", "forest", "230183", 29, 79, "250g:100:300|500g:190:560", "flat", "东北特产 干货"),
    _p("hazel_mushroom", "野生榛蘑", "forest", "230717 232722", 39, 99, "250g:100:300|500g:190:560", "harvest", "小鸡炖蘑菇 干货"),
    _p("hericium", "猴头菇 干货", "forest", "231083", 49, 129, "250g:100:300|500g:190:560", "flat", "养胃 东北特产"),
    _p("pine_nut", "红松子 开口松子", "forest", "230717 230781", 59, 139, "500g:100:600|1kg:190:1150", "harvest", "小兴安岭 手剥 坚果"),
    _p(
        "wild_blueberry_dried",
        "大兴安岭野生蓝莓果干",
        "forest",
        "232701 232721",
        39,
        89,
        "200g:100:260|500g:220:600",
        "flat",
        "无添加 蓝莓干",
    ),
    _p(
        "wild_blueberry_juice",
        "野生蓝莓原浆",
        "forest",
        "232701 232722",
        69,
        169,
        "10瓶*50ml:100:800|30瓶:270:2300",
        "flat",
        "北极 漠河 花青素",
    ),
    _p("bracken", "东北山野菜 蕨菜", "forest", "232721 230722", 19, 49, "500g:100:600", "flat", "山野菜 干货"),
    _p("hazelnut", "东北平榛子", "forest", "231085 230183", 49, 99, "500g:100:600|1kg:190:1150", "harvest", "原味 坚果"),
    # 畜牧产品
    _p(
        "red_sausage",
        "哈尔滨红肠 果木熏烤",
        "livestock",
        "230102 230103 230110",
        49,
        119,
        "1kg:100:1200|500g*2:105:1250",
        "gift",
        "蒜香 正宗 哈尔滨特产",
    ),
    _p("snow_beef", "龙江和牛 雪花牛肉", "livestock", "230221", 199, 599, "1kg:100:1500|2kg礼盒:190:2800", "gift", "M5 牛排 冷链"),
    _p("goose_egg", "东北大鹅蛋", "livestock", "231202 230224", 59, 99, "10枚:100:1800|20枚:185:3500", "flat", "散养 新鲜"),
    _p("free_range_egg", "林下散养笨鸡蛋", "livestock", "230126 230128", 39, 69, "30枚:100:2100|60枚:185:4100", "flat", "农家 土鸡蛋"),
    _p("black_pork", "林下散养黑猪肉", "livestock", "230725 231123", 89, 199, "2.5kg:100:3000|5kg:185:5800", "gift", "冷鲜 东北黑猪"),
    _p("mutton", "杜尔伯特草原羊肉", "livestock", "230624", 129, 299, "2.5kg:100:3000|5kg:185:5800", "winter", "羊排 手把肉"),
    _p("kedong_milk", "克东原生纯牛奶", "livestock", "230230", 49, 79, "250ml*12盒:100:3300", "flat", "高钙 整箱"),
    # 水产品
    _p("fuyuan_chum", "抚远大马哈鱼", "aquatic", "230883", 129, 399, "2kg:100:2500|整条4kg:180:4600", "harvest", "乌苏里江 野生 冷链"),
    _p("chum_roe", "抚远大马哈鱼籽", "aquatic", "230883", 99, 259, "250g:100:400|500g:185:700", "gift", "即食 鱼籽酱"),
    _p("xingkai_whitefish", "兴凯湖大白鱼", "aquatic", "230382", 89, 199, "2条装:100:2200|4条装:185:4200", "winter", "冷冻 湖鲜"),
    _p("sturgeon_caviar", "抚远鲟鳇鱼子酱", "aquatic", "230883", 299, 899, "50g:100:300|100g:190:450", "gift", "礼盒 冷链"),
    _p("jingpo_crucian", "镜泊湖野生鲫鱼", "aquatic", "231084", 59, 129, "2.5kg:100:3000", "flat", "湖鲜 冷冻"),
    _p("tongjiang_fish", "同江三花五罗 江鱼", "aquatic", "230881", 99, 299, "2.5kg:100:3000|5kg:185:5800", "winter", "黑龙江 野生 赫哲"),
    # 特色美食
    _p(
        "linden_honey",
        "饶河椴树蜂蜜 东北黑蜂",
        "specialty_food",
        "230524",
        59,
        169,
        "1kg:100:1300|500g*2:110:1350",
        "gift",
        "雪蜜 结晶蜜 成熟蜜",
    ),
    _p("kvass", "哈尔滨格瓦斯 面包发酵饮料", "specialty_food", "230102", 39, 69, "350ml*12瓶:100:5000", "summer", "俄式 老式"),
    _p("dalieba", "哈尔滨大列巴 俄式面包", "specialty_food", "230102 230103", 29, 69, "2个装:100:2100|4个装:185:4200", "gift", "全麦 手工"),
    _p("kedong_furu", "克东腐乳", "specialty_food", "230230", 29, 59, "6瓶装:100:2200", "flat", "红方 老字号"),
    _p("liqueur_candy", "哈尔滨酒心糖 老式糖果", "specialty_food", "230103", 39, 79, "500g:100:600|1kg:190:1150", "gift", "俄式 年货"),
    _p("soybean_paste", "东北农家大酱", "specialty_food", "231224 230125", 19, 39, "1kg:100:1200|2.5kg:210:2800", "flat", "黄豆酱 蘸酱菜"),
    _p("sauerkraut", "东北酸菜 缸腌", "specialty_food", "230113 231283", 19, 39, "2.5kg:100:2800|5kg:180:5500", "winter", "酸菜白肉 炖菜"),
    _p("perilla_oil", "桦南紫苏籽油", "specialty_food", "230822", 49, 99, "500ml:100:750|500ml*2:185:1500", "flat", "冷榨 亚麻酸"),
    # 酒类产品
    _p("yuquan_baijiu", "玉泉 清香型白酒 52度", "liquor", "230112", 69, 299, "500ml:100:1000|500ml*6:560:6200", "gift", "阿城 纯粮"),
    _p(
        "beidacang_baijiu",
        "北大仓 酱香型白酒 50度",
        "liquor",
        "230202",
        89,
        399,
        "500ml:100:1000|500ml*6:560:6200",
        "gift",
        "齐齐哈尔 纯粮",
    ),
    _p("fuyu_laojiao", "富裕老窖 浓香型白酒", "liquor", "230227", 59, 199, "500ml:100:1000|500ml*6:560:6200", "gift", "东北 纯粮酿造"),
    _p(
        "blueberry_wine",
        "伊春蓝莓酒 干型",
        "liquor",
        "230717 232701",
        69,
        269,
        "750ml:100:1300|750ml*2:190:2600",
        "gift",
        "蓝莓果酒 小兴安岭",
    ),
    _p("craft_beer", "哈尔滨精酿原浆啤酒", "liquor", "230102", 59, 129, "1L*4桶:100:4500", "summer", "扎啤 鲜啤"),
    _p("schisandra_wine", "林口五味子酒", "liquor", "231025", 89, 239, "500ml:100:1000|500ml*2:190:2000", "gift", "果露酒"),
    # 工艺品特产
    _p(
        "birch_bark_painting",
        "桦树皮画 鄂伦春手工",
        "crafts",
        "232721 232722",
        99,
        599,
        "小幅:100:600|大幅:260:1500",
        "flat",
        "非遗 装饰画",
    ),
    _p("fish_skin_painting", "赫哲族鱼皮画", "crafts", "230881 230524", 129, 899, "小幅:100:600|大幅:250:1500", "flat", "非遗 手工"),
    _p("suiling_pottery", "绥棱黑陶", "crafts", "231226", 99, 499, "花瓶:100:1500|茶具套装:160:2500", "gift", "手工 摆件"),
    _p("manchu_papercut", "宁安满族剪纸", "crafts", "231084", 39, 199, "装裱款:100:500", "flat", "非遗 手工"),
    # 中药材
    _p("ginseng", "林下参 人参", "herbal", "230781 231084 231086", 199, 1299, "礼盒5支:100:500|干参100g:70:300", "gift", "东北人参 十五年"),
    _p("acanthopanax", "刺五加茶", "herbal", "230717 230183", 39, 99, "120g:100:300|240g:185:550", "flat", "袋泡 东北"),
    _p("schisandra", "北五味子 干果", "herbal", "231025 230724", 39, 99, "500g:100:600", "flat", "道地 泡水"),
    # 果蔬产品
    _p(
        "blueberry",
        "伊春蓝莓鲜果 当季现摘",
        "fruit_veg",
        "230717 230781",
        59,
        159,
        "125g*4盒:100:1200|125g*8盒:185:2200",
        "summer_fresh",
        "冷链 大果 小兴安岭",
    ),
    _p("black_soil_veg", "寒地黑土有机蔬菜礼盒", "fruit_veg", "230113 230111", 49, 129, "5kg:100:5500", "summer_fresh", "当季 农场直供"),
    _p("kedong_potato", "克山黄心土豆", "fruit_veg", "230229", 19, 39, "5kg:100:5300|10kg:180:10300", "harvest", "新鲜"),
    _p(
        "ground_cherry",
        "红菇娘果 东北姑娘果",
        "fruit_veg",
        "230125 231282",
        29,
        69,
        "1.5kg:100:1800|2.5kg:150:2900",
        "summer_fresh",
        "新鲜 酸甜",
    ),
    _p("frozen_pear", "东北冻梨 秋子梨", "fruit_veg", "231085", 29, 59, "2.5kg:100:3000|5kg:180:5800", "winter", "冻梨 年货"),
    # Local goods made all over the province (no single home county): what sellers outside the speciality
    # counties mostly sell.
    _p("dongbei_rice", "东北长粒香大米", "crops", "", 35, 69, "5kg:100:5200|10kg:185:10300", "harvest", "黑龙江 新米"),
    _p("mixed_beans", "东北红小豆 黑豆 杂豆", "crops", "", 19, 39, "2.5kg:100:2600", "flat", "农家 杂粮"),
    _p("yellow_mushroom", "东北黄蘑 干货", "forest", "", 39, 89, "250g:100:300", "flat", "山珍 小鸡炖蘑菇"),
    _p("free_range_chicken", "东北溜达鸡 整只", "livestock", "", 69, 139, "1只约1.5kg:100:1800", "gift", "散养 冷冻"),
    _p("carp", "黑龙江冷水鲤鱼", "aquatic", "", 49, 99, "2条约2.5kg:100:2800", "winter", "冷冻 整条"),
    _p("sticky_bun", "东北黏豆包", "specialty_food", "", 19, 39, "1kg:100:1100|2kg:185:2200", "winter", "手工 年货"),
    _p("frozen_dumplings", "东北手工水饺", "specialty_food", "", 29, 59, "1kg*2袋:100:2200", "flat", "酸菜猪肉 冷冻"),
    _p("sorghum_liquor", "东北高粱酒 纯粮原浆", "liquor", "", 39, 129, "2.5L:100:2800", "flat", "散酒 泡酒"),
    _p("ice_magnet", "冰雪主题文创冰箱贴", "crafts", "", 19, 49, "3个装:100:150", "ice_season", "哈尔滨 伴手礼"),
    _p("astragalus", "东北黄芪切片", "herbal", "", 29, 69, "250g:100:300", "flat", "泡水 道地"),
    _p("oil_beans", "东北油豆角", "fruit_veg", "", 19, 39, "2.5kg:100:2700", "summer_fresh", "一点红 新鲜"),
)

NON_LOCAL: tuple[Product, ...] = (
    _p("down_coat", "加厚羽绒服 冬季", "apparel", "", 299, 899, "常规款:100:1200|长款:130:1600", "winter", "白鸭绒 保暖"),
    _p("mink_coat", "水貂皮大衣", "apparel", "", 1999, 6999, "短款:100:2500|长款:150:3500", "winter", "整貂 皮草"),
    _p("fleece_hoodie", "加绒卫衣", "apparel", "", 79, 199, "M-XXL:100:600", "flat", "宽松 百搭"),
    _p("snow_boots", "东北加厚雪地靴", "apparel", "", 99, 259, "35-44码:100:1300", "winter", "防滑 加绒"),
    _p("cotton_tshirt", "纯棉短袖T恤", "apparel", "", 39, 99, "S-XXL:100:300", "summer", "透气"),
    _p("bedding_set", "纯棉四件套", "household", "", 129, 399, "1.5m床:100:2500|1.8m床:115:2800", "flat", "全棉 磨毛"),
    _p("vacuum_cup", "不锈钢保温杯", "household", "", 49, 129, "500ml:100:500", "flat", "316不锈钢 长效保温"),
    _p("kitchen_rack", "厨房收纳置物架", "household", "", 29, 89, "三层:100:2000", "flat", "免打孔"),
    _p("electric_blanket", "电热毯 双人", "household", "", 69, 199, "1.8*1.5m:100:1500", "winter", "除螨 自动断电"),
    _p("face_mask", "补水面膜", "beauty", "", 59, 149, "20片:100:700", "flat", "玻尿酸 保湿"),
    _p("hand_cream", "护手霜礼盒", "beauty", "", 39, 99, "5支装:100:400", "winter", "滋润 防干裂"),
    _p("shampoo", "去屑洗发水", "beauty", "", 39, 89, "750ml:100:900", "flat", "控油 蓬松"),
    _p("lipstick", "哑光口红", "beauty", "", 99, 299, "单支:100:100", "flat", "显白 礼盒"),
    _p("air_fryer", "空气炸锅 家用", "electronics", "", 199, 499, "5L:100:4500|6.5L:125:5500", "flat", "无油 大容量"),
    _p("earbuds", "蓝牙耳机 降噪", "electronics", "", 99, 399, "标准版:100:200", "flat", "长续航"),
    _p("heater", "取暖器 家用电暖器", "electronics", "", 199, 599, "标准款:100:6000", "winter", "速热 节能"),
    _p("phone_case", "手机壳 防摔", "electronics", "", 19, 49, "单个:100:80", "flat", "适用多机型"),
    _p("robot_vacuum", "扫地机器人", "electronics", "", 999, 2999, "标准版:100:8000", "flat", "扫拖一体 自动集尘"),
    _p("nut_gift", "每日坚果礼盒", "food_general", "", 99, 199, "750g:100:1000", "gift", "混合坚果 年货"),
    _p("luosifen", "螺蛳粉", "food_general", "", 39, 69, "5袋装:100:1800", "flat", "广西 速食"),
    _p("snack_box", "零食大礼包", "food_general", "", 49, 129, "约2kg:100:2200", "gift", "网红零食"),
    _p("self_heating_pot", "自热小火锅", "food_general", "", 39, 79, "6盒装:100:2500", "flat", "方便速食"),
    _p("cat_food", "冻干猫粮", "other", "", 89, 239, "2kg:100:2200", "flat", "全价 宠物用品"),
    _p("car_aroma", "车载香薰", "other", "", 29, 79, "单个:100:200", "flat", "汽车用品 持久留香"),
)

IMPORTED: tuple[Product, ...] = tuple(
    Product(p.key, p.name, "imported_food", (), p.price_fen, p.specs, p.profile, p.words, "import")
    for p in (
        _p("ru_purple_candy", "俄罗斯紫皮糖 巧克力糖果", "imported_food", "", 39, 89, "500g:100:600|1kg:190:1150", "gift", "原装进口 KDV"),
        _p("ru_alenka", "俄罗斯大头娃娃巧克力", "imported_food", "", 29, 69, "100g*5块:100:600", "flat", "原装进口 牛奶巧克力"),
        _p("ru_tiramisu", "俄罗斯提拉米苏蛋糕", "imported_food", "", 39, 69, "500g*2盒:100:1200", "flat", "进口 网红蛋糕"),
        _p("ru_sunflower_oil", "俄罗斯葵花籽油", "imported_food", "", 89, 169, "5L:100:4800", "flat", "原装进口 压榨"),
        _p("ru_flour", "俄罗斯高筋面粉", "imported_food", "", 69, 129, "5kg:100:5200|10kg:185:10300", "flat", "进口 面包粉"),
        _p("ru_honey", "俄罗斯阿尔泰蜂蜜", "imported_food", "", 79, 199, "1kg:100:1300", "gift", "原装进口 椴树蜜"),
        _p("ru_vodka", "俄罗斯伏特加 40度", "imported_food", "", 69, 299, "500ml:100:1000|500ml*6:560:6200", "gift", "原瓶进口"),
        _p("ru_red_caviar", "俄罗斯红鱼子酱", "imported_food", "", 99, 299, "140g:100:300|500g:320:800", "gift", "即食 进口"),
        _p("ru_milk_powder", "俄罗斯全脂奶粉", "imported_food", "", 99, 199, "1kg:100:1200", "flat", "原装进口 成人奶粉"),
        _p("ru_pickles", "俄罗斯酸黄瓜罐头", "imported_food", "", 29, 59, "680g*2罐:100:2000", "flat", "进口 下饭"),
        _p("ru_biscuits", "俄罗斯列巴干 饼干", "imported_food", "", 29, 59, "1kg:100:1150", "flat", "进口 早餐"),
    )
)

SERVICES: tuple[Product, ...] = (
    _p(
        "ice_world_ticket",
        "哈尔滨冰雪大世界门票",
        "services",
        "230109",
        198,
        328,
        "成人票:100:0|夜场票:85:0",
        "ice_season",
        "电子票 预约",
        physical=False,
    ),
    _p(
        "yabuli_ski_pass",
        "亚布力滑雪场雪票",
        "services",
        "230183",
        299,
        698,
        "全天票:100:0|半天票:65:0",
        "ice_season",
        "含雪具",
        physical=False,
    ),
    _p("snow_expo_ticket", "太阳岛雪博会门票", "services", "230109", 120, 240, "成人票:100:0", "ice_season", "电子票", physical=False),
    _p("jingpo_lake_ticket", "镜泊湖景区门票", "services", "231084", 100, 180, "门票+观光车:100:0", "summer", "吊水楼瀑布", physical=False),
    _p("wudalianchi_spa", "五大连池温泉套票", "services", "231182", 158, 398, "单人:100:0|双人:185:0", "flat", "矿泉 火山", physical=False),
)

# Local goods that port cities' traders sell to Russian buyers (跨境出口) through 黑河 and 绥芬河.
EXPORT_KEYS = (
    "dongning_fungus",
    "wuchang_rice",
    "linden_honey",
    "soybean",
    "pine_nut",
    "blueberry_wine",
    "red_sausage",
)

ALL: tuple[Product, ...] = LOCAL + NON_LOCAL + IMPORTED + SERVICES
LOCAL_CATEGORIES = tuple(dict.fromkeys(product.category for product in LOCAL))
BY_KEY: dict[str, Product] = {product.key: product for product in ALL}


def by_category(category: str) -> list[Product]:
    """Every product of this category code."""
    return [product for product in ALL if product.category == category]


def home_categories(region: str) -> list[str]:
    """The categories of the local specialities produced in this county (empty for a county without one)."""
    return sorted({product.category for product in LOCAL if region in product.home})
