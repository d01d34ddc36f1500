"""The single writer (core.web.writer): formula-looking text stays text, numbers stay numbers, one header style,
personal data masked unless revealed, every download audited."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from livecommerce.core.scope import SystemActor
from livecommerce.core.timeutil import SHANGHAI
from livecommerce.core.web import writer
from livecommerce.core.web.writer import Column, Sheet, csv_bytes, download, xlsx_bytes

FORMULA = '=HYPERLINK("http://x","点我")'
COLUMNS = (
    Column("name", "名称", width=30),
    Column("gmv", "成交额", "万元", "wan"),
    Column("orders", "订单数", kind="int"),
    Column("phone", "手机号", personal="phone"),
    Column("id", "身份证号", personal="id_card"),
    Column("real_name", "真实姓名", personal="name"),
    Column("share", "占比", "%", "percent"),
    Column("day", "日期", kind="date"),
)
ROW = {
    "name": FORMULA,
    "gmv": Decimal("12345.67"),
    "orders": -5,
    "phone": "13812345678",
    "id": "110101199001011234",
    "real_name": "张三丰",
    "share": Decimal("0.302586"),
    "day": date(2025, 1, 31),
}


def _sheet(*rows: dict[str, Any], caption: str = "") -> Sheet:
    return Sheet("测试", COLUMNS, list(rows), caption)


def _xml(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


def test_a_formula_in_a_text_cell_comes_out_as_text_with_its_value_unchanged() -> None:
    content = xlsx_bytes([_sheet(ROW)])
    cell = load_workbook(io.BytesIO(content)).active.cell(2, 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")
    assert "<f>" not in _xml(content) and "<f " not in _xml(content)


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-cmd|' /C calc'!A0"])
def test_every_formula_start_is_written_as_text(text: str) -> None:
    content = xlsx_bytes([_sheet({"name": text})])
    cell = load_workbook(io.BytesIO(content)).active.cell(2, 1)
    assert cell.data_type == "s" and "<f>" not in _xml(content)
    assert cell.value == text.replace("\r", "\n")  # XML reads a carriage return back as a line feed


def test_numbers_stay_numbers_negative_ones_too() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes([_sheet(ROW)]))).active
    orders, gmv, share, day = sheet.cell(2, 3), sheet.cell(2, 2), sheet.cell(2, 7), sheet.cell(2, 8)
    assert (orders.value, orders.data_type, orders.number_format) == (-5, "n", "#,##0")
    assert (gmv.value, gmv.data_type, gmv.number_format) == (1.23, "n", "#,##0.00")  # 12,345.67 元 = 1.23 万元
    assert (share.value, share.number_format) == (0.3026, "0.00%")
    assert (day.value, day.number_format) == (datetime(2025, 1, 31), "yyyy-mm-dd")


def test_the_header_carries_the_unit_is_bold_and_frozen_below_the_caption() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes([_sheet(ROW, caption="成交统计\n数据范围：哈尔滨市 · 2025年10月")]))).active
    assert [sheet.cell(1, 1).value, sheet.cell(2, 1).value] == ["成交统计", "数据范围：哈尔滨市 · 2025年10月"]
    assert [c.value for c in sheet[3]] == ["名称", "成交额（万元）", "订单数", "手机号", "身份证号", "真实姓名", "占比（%）", "日期"]
    assert sheet.cell(3, 1).font.b and sheet.cell(3, 1).fill.fgColor.rgb == "00E8EEF7"
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["A"].width == 30


def test_personal_data_is_masked_unless_revealed() -> None:
    masked = load_workbook(io.BytesIO(xlsx_bytes([_sheet(ROW)]))).active
    assert [masked.cell(2, n).value for n in (4, 5, 6)] == ["138****5678", "110101********1234", "张**"]
    whole = load_workbook(io.BytesIO(xlsx_bytes([_sheet(ROW)], reveal_personal=True))).active
    assert [whole.cell(2, n).value for n in (4, 5, 6)] == ["13812345678", "110101199001011234", "张三丰"]


def test_csv_is_rfc4180_with_bom_crlf_and_a_quote_before_formulas() -> None:
    content = csv_bytes(_sheet(ROW, {"name": "-5", "orders": None}))
    assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content and content.count(b"\n") == content.count(b"\r\n")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["名称", "成交额（万元）"]
    assert rows[1] == ["'" + FORMULA, "1.23", "-5", "138****5678", "110101********1234", "张**", "30.26%", "2025-01-31"]
    assert rows[2][:3] == ["-5", "", ""]  # a plain negative number is not a formula: left as it is


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_puts_a_quote_before_every_formula_start(text: str) -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(_sheet({"name": text})).decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + text


def test_csv_reveals_personal_data_only_when_asked() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(_sheet(ROW), reveal_personal=True).decode("utf-8-sig"), newline="")))
    assert rows[1][3:6] == ["13812345678", "110101199001011234", "张三丰"]


def test_a_timezone_aware_datetime_is_written_in_shanghai_wall_time() -> None:
    sheet = Sheet("t", [Column("at", "时间", kind="datetime")], [{"at": datetime(2025, 1, 1, 0, 30, tzinfo=SHANGHAI)}])
    cell = load_workbook(io.BytesIO(xlsx_bytes([sheet]))).active.cell(2, 1)
    assert cell.value == datetime(2025, 1, 1, 0, 30) and cell.number_format == "yyyy-mm-dd hh:mm:ss"


def test_sheet_titles_excel_refuses_are_made_valid_and_unique() -> None:
    sheets = [Sheet("a/b:c*?[d]", COLUMNS, []), Sheet("a/b:c*?[d]", COLUMNS, []), Sheet("x" * 40, COLUMNS, [])]
    assert load_workbook(io.BytesIO(xlsx_bytes(sheets))).sheetnames == ["a_b_c___d_", "a_b_c___d_2", "x" * 31]


def test_an_unknown_kind_is_refused_when_the_column_is_declared() -> None:
    with pytest.raises(ValueError, match="kind 'money2'"):
        Column("x", "X", kind="money2")


@pytest.fixture
def audited() -> Iterator[list[tuple[Any, ...]]]:
    lines: list[tuple[Any, ...]] = []
    saved = list(writer._auditor)
    writer.set_download_auditor(lambda *args, **kwargs: lines.append((*args, kwargs)))
    yield lines
    writer._auditor[:] = saved


def test_a_download_is_an_attachment_with_its_chinese_name_and_one_audit_line(audited: list[tuple[Any, ...]]) -> None:
    response = download(b"x", "主体库 2025.xlsx", actor=SystemActor(), what="entities", rows=3, revealed=False, client="1.2.3.4")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''%E4%B8%BB%E4%BD%93%E5%BA%93%202025.xlsx" in disposition
    assert "spreadsheetml" in response.headers["content-type"]
    assert audited == [
        (
            "system",
            "download",
            "export",
            "entities",
            {"after": {"file": "主体库 2025.xlsx", "rows": 3, "personal_data": "masked"}, "client": "1.2.3.4"},
        )
    ]
    download(b"x", "rejected.csv", actor=SystemActor(), what="ingest.rejected:b1", rows=1, revealed=True)
    assert audited[1][4]["after"]["personal_data"] == "revealed"


def test_a_download_without_an_auditor_is_refused() -> None:
    saved = list(writer._auditor)
    writer._auditor.clear()
    try:
        with pytest.raises(RuntimeError, match="never unaudited"):
            download(b"x", "a.xlsx", actor=SystemActor(), what="x", rows=0)
    finally:
        writer._auditor[:] = saved


def test_accounts_registers_the_audit_log_as_the_download_auditor() -> None:
    from livecommerce.accounts import audit

    assert writer._auditor == [audit.record_apart]


def test_a_large_export_is_streamed() -> None:
    rows = ({"name": f"店铺{i}", "gmv": Decimal(i), "orders": i} for i in range(20_000))
    content, count = writer.xlsx_bytes_counted([Sheet("大", COLUMNS, rows)])
    assert count == 20_000 and sum(1 for _ in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows()) == 20_001
