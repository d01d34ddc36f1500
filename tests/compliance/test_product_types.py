"""Product types (商品类型, issue 14 point 2): what each permits, and every face taking it — service.scan, the JSON lines
{"id", "text", "product_type"}, `compliance check --product-type`, POST /api/compliance/scan (on the body and per
record) and the console's select. An unknown value is refused naming the allowed ones.

Offsets by hand: 有助于抗氧化 — 抗氧化 is characters 3–5, [3, 6)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from livecommerce.compliance import service
from livecommerce.compliance.packs import PRODUCT_TYPES
from livecommerce.core.errors import ValidationFailed
from tests.compliance.test_cli_api import api, cli  # noqa: F401  (the logged-in API client fixture)
from tests.compliance.test_pages import console  # noqa: F401  (the logged-in console fixture)


def rules(text: str, product_type: str | None) -> list[tuple[str, int, int]]:
    return [(h.rule, h.start, h.end) for h in service.scan(text, product_type)]


@pytest.mark.parametrize(
    ("text", "product_type", "expected"),
    [
        # 保健功能目录 wording: a registered 保健食品 may use it, an ordinary food or an unknown product may not
        ("有助于抗氧化", "health_food", []),
        ("有助于抗氧化", "food", [("AD-HF-FUNCTION", 3, 6)]),
        ("有助于抗氧化", None, [("AD-HF-FUNCTION", 3, 6)]),
        ("缓解体力疲劳", "health_food", []),
        ("缓解体力疲劳", "food", [("CL-FOOD-FUNCTION", 0, 6)]),
        ("辅助改善记忆", "health_food", []),
        ("辅助改善记忆", "special_medical_food", [("CL-FOOD-FUNCTION", 0, 6)]),
        # a 保健食品 still may not claim to treat a disease, nor beyond its functions
        ("有助于抗氧化，还能预防肠癌", "health_food", [("CL-MED-VERB", 9, 13)]),
        ("抗疲劳", "health_food", [("AD-HF-FUNCTION", 0, 3)]),
        # special-cosmetic effects: registered special cosmetics may claim them, ordinary cosmetics may not
        ("美白精华", "special_cosmetic", []),
        ("美白精华", "cosmetic", [("CL-COS-SPECIAL", 0, 2)]),
        ("防晒霜", "cosmetic", [("CL-COS-SPECIAL", 0, 2)]),
        ("防脱发洗发水", "special_cosmetic", []),
        ("防脱发洗发水", "cosmetic", [("CL-COS-SPECIAL", 0, 3)]),
        ("防脱发洗发水", "food", [("CL-MED-VERB", 0, 3)]),  # food claiming 防脱发 is a medical claim
        ("美白精华", None, []),  # unknown: not judged as a cosmetic
        ("抗菌沐浴露", "cosmetic", [("CL-COS-GERM", 0, 2)]),
        ("抗菌砧板", "other", []),
        # drugs and devices may name their indications; absolute words and guarantees are still flagged
        ("能治疗高血压", "drug", []),
        ("能治疗高血压", "medical_device", []),
        ("能治疗高血压", "food", [("CL-MED-VERB", 0, 6)]),  # 能治 + 高血压
        ("全网最低价", "drug", [("AD-ABS-PRICE", 0, 5)]),
        ("治愈率高达90%", "drug", [("AD-GUAR-RATE", 0, 3)]),
        ("保证治愈", "medical_device", [("AD-GUAR-EFFECT", 0, 4)]),
        # 医用/药用 only when the product is known not to be medical (医用口罩 is a device)
        ("医用口罩", None, []),
        ("医用面膜", "cosmetic", [("CL-MED-TERM-TYPED", 0, 2)]),
    ],
)
def test_what_each_product_type_permits(text: str, product_type: str | None, expected: list) -> None:
    assert rules(text, product_type) == expected


def test_every_product_type_is_accepted_and_an_unknown_one_is_refused_naming_them() -> None:
    for kind in PRODUCT_TYPES:
        service.scan("好", kind)
    with pytest.raises(ValidationFailed) as caught:
        service.scan("好", "pills")
    assert "'pills'" in str(caught.value) and "health_food" in str(caught.value) and "medical_device" in str(caught.value)


def test_records_of_several_types_are_scanned_each_with_its_own() -> None:
    records = [
        {"id": 1, "text": "有助于抗氧化", "product_type": "health_food"},
        {"id": 2, "text": "有助于抗氧化"},
        {"id": 3, "text": "美白精华", "product_type": "cosmetic"},
        {"id": 4, "text": "美白精华", "product_type": ""},
    ]
    answers = list(service.scan_records(records))
    assert [(a["id"], [(h["rule"], h["start"], h["end"]) for h in a["hits"]]) for a in answers] == [
        (1, []),
        (2, [("AD-HF-FUNCTION", 3, 6)]),
        (3, [("CL-COS-SPECIAL", 0, 2)]),
        (4, []),
    ]


def test_the_cli_takes_the_product_type() -> None:
    assert cli("check", "有助于抗氧化", "--product-type", "health_food").exit_code == 0
    assert cli("check", "有助于抗氧化").exit_code == 1
    refused = cli("check", "有助于抗氧化", "--product-type", "pills")
    assert refused.exit_code == 2 and "health_food" in refused.output
    lines = "\n".join(
        json.dumps(r, ensure_ascii=False)
        for r in [{"id": 1, "text": "美白精华"}, {"id": 2, "text": "美白精华", "product_type": "special_cosmetic"}]
    )
    result = cli("scan", "-", "--product-type", "cosmetic", stdin=lines + "\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and [len(a["hits"]) for a in answers] == [1, 0]  # a record's own type wins
    bad = cli("scan", "-", stdin='\n{"id": 1, "text": "好", "product_type": "pill"}\n')
    assert bad.exit_code == 2 and "line 2: product_type 'pill'" in bad.output


def test_the_api_takes_the_product_type_on_the_body_and_per_record(api: TestClient) -> None:  # noqa: F811
    one = api.post("/api/compliance/scan", json={"text": "有助于抗氧化", "product_type": "health_food"})
    assert one.status_code == 200 and one.json() == {"hits": []}
    many = api.post(
        "/api/compliance/scan",
        json={
            "product_type": "health_food",
            "records": [{"id": 1, "text": "有助于抗氧化"}, {"id": 2, "text": "有助于抗氧化", "product_type": "food"}],
        },
    ).json()
    assert [[h["start"] for h in r["hits"]] for r in many["results"]] == [[], [3]]
    refused = api.post("/api/compliance/scan", json={"text": "好", "product_type": "pills"})
    assert refused.status_code == 422 and "product_type" in refused.json()["detail"] and "health_food" in refused.json()["detail"]


def test_the_console_has_a_product_type_select(console: TestClient) -> None:  # noqa: F811
    from tests.web.conftest import hidden

    page = console.get("/compliance").text
    assert 'name="product_type"' in page and 'value="health_food"' in page and "保健食品" in page
    form = {"csrf_token": hidden(page, "csrf_token"), "text": "本品有助于抗氧化", "packs": ["ad-law", "claims"]}
    assert "未发现违规用语" in console.post("/compliance", data=form | {"product_type": "health_food"}).text
    assert "<mark" in console.post("/compliance", data=form | {"product_type": "food"}).text
    refused = console.post("/compliance", data=form | {"product_type": "pills"})
    assert refused.status_code == 422 and "未知的商品类型" in refused.text
