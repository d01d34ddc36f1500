"""XLSX read as a stream with bounds: the header row is checked before the sheet is read, rows are capped at
max_xlsx_rows, a cell at Excel's 32,767 characters, and a zip bomb costs neither time nor memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
import zlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import get_settings
from livecommerce.ingest.service import ingest
from tests.ingest.helpers import HEADER, ZH_HEADER, order, warehouse_rows

ACTOR = SystemActor(name="tester")
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="订单" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>"
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _row(values: Iterable[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f"<row>{cells}</row>"


class _Repeating:
    """A deflate compressor that compresses a block it has seen before in no time: each block is deflated on its own
    (a full flush: byte-aligned, no back-references), so its bytes can be repeated. A bomb of 600 MB is built in a
    second instead of ten; the zip holds an ordinary deflate stream."""

    def __init__(self) -> None:
        self.real = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.seen: dict[bytes, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        if len(data) < 4096:
            return self.real.compress(data) + self.real.flush(zlib.Z_FULL_FLUSH)
        if data not in self.seen:
            alone = zlib.compressobj(9, zlib.DEFLATED, -15)
            self.seen[data] = alone.compress(data) + alone.flush(zlib.Z_FULL_FLUSH)
        return self.seen[data]

    def flush(self) -> bytes:
        return self.real.flush()


def _crafted(path: Path, header: list[str], body: Iterable[bytes | str]) -> Path:
    """A workbook written by hand: inline-string header row, then ``body`` (raw sheet XML) streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet._compressor = _Repeating()  # type: ignore[attr-defined]
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(_row(header).encode())
            for part in body:
                sheet.write(part.encode() if isinstance(part, str) else part)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _many(part: str, total_bytes: int) -> Iterable[bytes]:
    block = (part * max(1, (1 << 20) // len(part))).encode()
    for _ in range(total_bytes // len(block)):
        yield block


def test_dates_numbers_and_chinese_headers_read_as_a_clerk_typed_them(home, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(ZH_HEADER)
    values: list[object] = [order("X1")[key] for key in HEADER]
    values[HEADER.index("paid_at")] = datetime(2025, 3, 1, 10, 30, 15)
    values[HEADER.index("paid_amount")] = 35.5
    values[HEADER.index("seller_region")] = 230184
    values[HEADER.index("product_name")] = '鹤城"特产",礼盒'
    sheet.append(values)
    workbook.save(tmp_path / "o.xlsx")
    result = ingest("orders", [tmp_path / "o.xlsx"], ACTOR)
    assert (result.read, result.accepted) == (1, 1), result.problems
    stored = warehouse_rows(home, "SELECT paid_at, paid_amount, seller_region, product_name FROM orders")
    assert stored == [(datetime(2025, 3, 1, 10, 30, 15), Decimal("35.50"), "230184", '鹤城"特产",礼盒')]


def test_a_wrong_header_is_refused_before_any_row_is_read(home, tmp_path: Path) -> None:
    # row 2 holds a cell longer than Excel allows: reading it would be refused for that instead
    path = _crafted(tmp_path / "wrong.xlsx", ["平台", "订单号"], [_row(["x" * 40_000])])
    result = ingest("orders", [path], ACTOR)
    assert result.status == "failed"
    assert result.message.startswith("file wrong.xlsx: missing required columns for feed orders"), result.message


def test_a_cell_longer_than_excel_allows_is_refused_naming_its_row(home, tmp_path: Path) -> None:
    path = _crafted(tmp_path / "long.xlsx", HEADER, [_row(order("A1").values()), _row(["y" * 32_768])])
    result = ingest("orders", [path], ACTOR)
    assert result.message == "file long.xlsx: row 3: a cell longer than Excel's 32,767 characters"


def test_a_sheet_with_more_rows_than_max_xlsx_rows_is_refused(home, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIVECOMMERCE_MAX_XLSX_ROWS", "3")
    get_settings.cache_clear()
    rows = [_row(order(f"A{i}").values()) for i in range(1, 5)]
    result = ingest("orders", [_crafted(tmp_path / "four.xlsx", HEADER, rows[:3])], ACTOR)
    assert (result.status, result.accepted) == ("loaded", 3)
    result = ingest("orders", [_crafted(tmp_path / "five.xlsx", HEADER, rows)], ACTOR)
    assert result.message == "file five.xlsx: more than 3 data rows in the sheet (setting max_xlsx_rows)"


BOMB_RUN = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from livecommerce.core.scope import SystemActor
    from livecommerce.ingest import service, xlsx
    from tests.ingest.helpers import order, write_csv
    if sys.argv[2] == "no-ratio-check":
        xlsx.MAX_RATIO = 10 ** 9
    warm = write_csv(Path(sys.argv[1]).with_name("warm-up.csv"), [order("W1")])  # the warehouse opened, the audit written
    assert service.ingest("orders", [warm], SystemActor(name="tester")).accepted == 1
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = service.ingest("orders", [Path(sys.argv[1])], SystemActor(name="tester"))
    print(json.dumps({"seconds": time.monotonic() - started, "message": result.message,
                      "extra_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
""")


def _run_bomb(home, path: Path, mode: str, **env: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    environment = os.environ | {"LIVECOMMERCE_HOME": str(home.home)} | env
    done = subprocess.run(
        [sys.executable, "-c", BOMB_RUN, str(path), mode],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two small files whose sheet expands to 600 MB: millions of rows, or one giant cell."""
    folder = tmp_path_factory.mktemp("bombs")
    rows = _crafted(folder / "rows.xlsx", HEADER, _many(_row(order("A1").values()), 600 << 20))
    cell = _crafted(folder / "cell.xlsx", HEADER, ['<row><c t="inlineStr"><is><t>', *_many("A", 600 << 20), "</t></is></c></row>"])
    return {"rows": rows, "cell": cell}


def test_the_bombs_are_small_files_that_expand_600_mb(bombs: dict[str, Path]) -> None:
    for path in bombs.values():
        assert path.stat().st_size < 4 << 20  # about 3 MB (rows) and 0.7 MB (one cell)
        with zipfile.ZipFile(path) as archive:
            assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 600_000_000


def test_a_zip_bomb_is_refused_from_its_directory_at_once(home, bombs: dict[str, Path]) -> None:
    run = _run_bomb(home, bombs["rows"], "as-is")
    assert str(run["message"]).startswith("file rows.xlsx: part xl/worksheets/sheet1.xml expands")
    assert "refused as a zip bomb (limit 100 times)" in str(run["message"])
    assert float(run["seconds"]) < 5 and float(run["extra_mb"]) < 200  # type: ignore[arg-type]


def test_without_the_ratio_check_a_giant_cell_still_stops_at_32767_characters(home, bombs: dict[str, Path]) -> None:
    run = _run_bomb(home, bombs["cell"], "no-ratio-check")
    assert run["message"] == "file cell.xlsx: row 2: a cell longer than Excel's 32,767 characters"
    assert float(run["seconds"]) < 5 and float(run["extra_mb"]) < 200  # type: ignore[arg-type]


def test_without_the_ratio_check_millions_of_rows_stop_at_the_row_cap(home, bombs: dict[str, Path]) -> None:
    run = _run_bomb(home, bombs["rows"], "no-ratio-check", LIVECOMMERCE_MAX_XLSX_ROWS="10000")
    assert run["message"] == "file rows.xlsx: more than 10,000 data rows in the sheet (setting max_xlsx_rows)"
    assert float(run["seconds"]) < 5 and float(run["extra_mb"]) < 200  # type: ignore[arg-type]
