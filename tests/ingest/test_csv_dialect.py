"""CSV as RFC 4180 says: quoted fields with "" and commas, line breaks inside quotes, CRLF, BOM, GB18030 — read
exactly; a file that is not CSV refused with its reason, naming the file and row."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from livecommerce.core.scope import SystemActor
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import HEADER, warehouse_rows

ACTOR = SystemActor(name="tester")
# one order of 五常市 (230184); the product name is the 7th field and is written by each test as it needs
BEFORE = "douyin,{key},S1,,230184,P1,"
AFTER = ",crops,true,true,live,2025-03-01 10:00:00,100.00,0"


def _file(path: Path, names: list[str], *, newline: str = "\n", encoding: str = "utf-8") -> Path:
    """A CSV written by hand: the header, then one order per product name (each name already CSV-quoted as needed)."""
    lines = [",".join(HEADER)] + [BEFORE.format(key=f"O-{i}") + name + AFTER for i, name in enumerate(names, 1)]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def _names(home) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[0] for row in warehouse_rows(home, "SELECT product_name FROM orders ORDER BY order_id")]


def test_a_quoted_field_with_doubled_quotes_and_a_comma_is_stored_exactly(home, tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(",".join(HEADER) + "\n" + 'douyin,"O-1",S1,,230184,P1,"鹤城""特产"",礼盒"' + AFTER + "\n", encoding="utf-8")
    result = ingest("orders", [path], ACTOR)
    assert (result.read, result.accepted, result.rejected) == (1, 1, 0), result.problems
    assert _names(home) == ['鹤城"特产",礼盒']
    assert warehouse_rows(home, "SELECT order_id FROM orders") == [("O-1",)]


def test_a_line_break_inside_quotes_belongs_to_the_field(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "newline.csv", ['"五常大米\n5kg"', "红肠"])
    result = ingest("orders", [path], ACTOR)
    assert (result.read, result.accepted) == (2, 2), result.problems
    assert _names(home) == ["五常大米\n5kg", "红肠"]


def test_a_crlf_file_keeps_no_carriage_return(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "crlf.csv", ['"木耳,黑"', "蓝莓"], newline="\r\n")
    result = ingest("orders", [path], ACTOR)
    assert (result.read, result.accepted) == (2, 2), result.problems
    assert _names(home) == ["木耳,黑", "蓝莓"]
    assert warehouse_rows(home, "SELECT refund_amount FROM orders WHERE order_id = 'O-2'")[0][0] == 0


def test_a_bom_file_has_a_clean_first_header(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "bom.csv", ['"大米 ""五常"""'], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfplatform,")
    result = ingest("orders", [path], ACTOR)
    assert (result.accepted, result.ignored_columns) == (1, [])
    assert _names(home) == ['大米 "五常"']


def test_a_gb18030_file_with_quoted_commas_is_read_exactly(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "gbk.csv", ['"椴树蜂蜜,500g"', '"""黑蜂""蜂蜜"'], newline="\r\n", encoding="gb18030")
    result = ingest("orders", [path], ACTOR)
    assert (result.accepted, result.rejected) == (2, 0), result.problems
    assert _names(home) == ["椴树蜂蜜,500g", '"黑蜂"蜂蜜']
    assert warehouse_rows(home, "SELECT encoding FROM batch_files") == [("gb18030",)]


def test_a_row_with_an_unquoted_comma_is_refused_naming_file_and_row(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "split.csv", ["红肠", "木耳,黑"])  # row 3 has one field too many
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed" and result.exit_code == 2
    assert result.message.startswith("file split.csv, row 3: 15 fields where the header has 14"), result.message
    assert warehouse_rows(home, "SELECT count(*) FROM orders") == [(0,)]


def test_a_short_row_is_refused_not_padded(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "short.csv", ["红肠"])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("douyin,O-9,S1\n")
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed"
    assert result.message.startswith("file short.csv, row 3: 3 fields where the header has 14"), result.message


def test_an_unclosed_quote_is_refused(home, tmp_path: Path) -> None:
    path = _file(tmp_path / "open.csv", ['"红肠'])
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed" and result.message.startswith("file open.csv"), result.message
    assert "quote" in result.message


def test_an_xlsx_renamed_csv_is_refused_as_a_zip(home, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    path = tmp_path / "orders.csv"
    path.write_bytes(buffer.getvalue())
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed"
    assert result.message == ("file orders.csv: a zip archive (an XLSX renamed .csv?), not CSV text; upload it as .xlsx")


def test_binary_content_is_refused_with_the_offset_of_its_nul(home, tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = ingest("orders", [path], ACTOR)
    assert result.message == "file image.csv: binary content (a NUL byte at offset 8), not CSV text"


def test_a_header_named_twice_is_refused(home, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(",".join([*HEADER, "order_id"]) + "\n", encoding="utf-8")
    result = ingest("orders", [path], ACTOR)
    assert result.message == "file twice.csv, row 1: header 'order_id' appears twice (columns 2 and 15)"


def test_an_empty_file_is_refused(home, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = ingest("orders", [path], ACTOR)
    assert result.message == "file empty.csv: empty, no header row"
