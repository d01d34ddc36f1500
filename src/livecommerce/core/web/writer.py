"""The single writer of every XLSX and CSV the system emits (DESIGN.md: Exports; issue 13 point 5).

- A text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR cannot be evaluated as a formula (OWASP CSV
  injection): in XLSX it is written as an inline string (data type ``s``, never ``<f>``) with Excel's quote prefix;
  in CSV it gets a leading ``'``. Numbers stay numbers (an int or Decimal is numeric, a negative one too).
- One look: a bold header row on a light fill, frozen below the header, units in the header as 「名称（单位）」,
  amounts in 万元 with two decimals (half-up at display only: DESIGN.md Money).
- Personal data (phone, ID number, real name) is masked unless the caller says the viewer may see it.
- ``download`` answers with the file and writes one audit line ``download``. core sits below accounts, so the
  auditor is a hook: accounts registers ``accounts.audit.record_apart`` through ``set_download_auditor`` when it is
  imported; a download with no auditor registered is refused (RuntimeError), never sent unaudited.

XLSX is written in openpyxl's write-only (streaming) mode, so a large export keeps memory bounded. openpyxl and
Starlette are imported when a workbook or a response is made, not with this module: every command that writes an
audit line imports it (accounts.audit registers the auditor), and those two cost about half a second of start-up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from livecommerce.core.privacy import mask_id_number, mask_name, mask_phone
from livecommerce.core.scope import Actor
from livecommerce.core.timeutil import SHANGHAI

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from starlette.responses import Response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
KINDS = ("text", "int", "decimal", "money", "wan", "percent", "date", "datetime")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")  # '-5' is a number, not a formula: left as it is
WAN = Decimal(10000)
CENT = Decimal("0.01")
NUMBER_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.00",
    "money": "#,##0.00",
    "wan": "#,##0.00",
    "percent": "0.00%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class _Kit:
    """openpyxl's pieces the writer uses, imported at the first workbook (not with this module)."""

    cell: type[WriteOnlyCell]
    alignment: type[Alignment]
    header_fill: PatternFill
    header_font: Font
    title_font: Font


@cache
def _kit() -> _Kit:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    return _Kit(WriteOnlyCell, Alignment, PatternFill("solid", fgColor="E8EEF7"), Font(bold=True), Font(bold=True, size=14))


@dataclass(frozen=True)
class Column:
    """One column of an export: the row mapping's key, its Chinese header and unit, how its cells are written."""

    key: str
    header: str
    unit: str = ""
    kind: str = "text"  # text | int | decimal | money | wan (yuan → 万元, 2 decimals) | percent (a ratio) | date | datetime
    personal: str | None = None  # None | "phone" | "id_card" | "name": masked unless reveal_personal
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.personal not in (None, "phone", "id_card", "name"):
            raise ValueError(f"column {self.key}: personal {self.personal!r} is not phone, id_card or name")

    @property
    def title(self) -> str:
        """The header as shown: 「成交额（万元）」, or the bare header when there is no unit."""
        return f"{self.header}（{self.unit}）" if self.unit else self.header


@dataclass
class Sheet:
    """One sheet (or one CSV file): columns, rows as mappings, an optional caption above the header (lines split at
    newlines; the first is the title) and bold total rows after the data."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]]
    caption: str = ""
    totals: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (OWASP CSV injection); '-5' and '+3.5' are numbers."""
    return value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value)


def mask_personal(value: Any, personal: str | None) -> Any:
    """A personal value masked by its kind: phone 138****5678, ID number first 6 and last 4, name 张**."""
    if value is None or value == "" or personal is None:
        return value
    text = str(value)
    if personal == "phone":
        return mask_phone(text)
    if personal == "id_card":
        return mask_id_number(text)
    return mask_name(text)


def may_reveal_personal(actor: Actor) -> bool:
    """Whether the actor may see personal data whole: a grant of its own ("personal.view"), audited when used."""
    return not actor.grant("personal.view").nothing


def display_width(text: str) -> int:
    """Characters as a spreadsheet column counts them: a CJK character is two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def column_width(column: Column) -> int:
    """The column's width: given, or from its header (at least 8, at most 50)."""
    return column.width or min(50, max(8, display_width(column.title) + 2))


def _number(value: Any) -> Decimal | int | None:
    """A numeric cell value: int stays int, anything else exact Decimal; text that is not a number gives None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def cell_value(value: Any, column: Column, reveal_personal: bool = False) -> Any:
    """The value a cell holds, before any escaping: masked, converted to 万元, quantized, dates made naive Shanghai."""
    if column.personal and not reveal_personal:
        value = mask_personal(value, column.personal)
    if value is None or value == "":
        return None
    kind = column.kind
    if kind in ("int", "decimal", "money", "wan", "percent"):
        number = _number(value)
        if number is None:
            return str(value)
        if kind == "int":
            return int(number)
        if kind == "wan":
            return (Decimal(number) / WAN).quantize(CENT, ROUND_HALF_UP)
        if kind == "money":
            return Decimal(number).quantize(CENT, ROUND_HALF_UP)
        if kind == "percent":
            return Decimal(number).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        return number
    if isinstance(value, datetime):
        moment = value.astimezone(SHANGHAI).replace(tzinfo=None) if value.tzinfo else value
        return moment if kind in ("datetime", "date") else moment.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value if kind in ("date", "datetime") else value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | Decimal | float):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------------- XLSX


def _xlsx_cell(sheet: Any, value: Any, column: Column, kit: _Kit, bold: bool = False, styled: bool = False) -> Any:
    """One write-only cell: text forced to a string (never a formula), numbers and dates with the column's format.
    A short plain string or an empty cell goes as the bare value (openpyxl types it as text; it saves a cell object)."""
    plain = not (bold or styled)
    if value is None and plain:
        return None
    if isinstance(value, str) and plain and len(value) <= 30 and not value.startswith(("=", "#")) and not is_formula_like(value):
        return value
    cell = kit.cell(sheet)
    if isinstance(value, str):
        cell._value, cell.data_type = value, "s"  # set directly: openpyxl would make '=…' a formula
        if is_formula_like(value):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
        if len(value) > 30:
            cell.alignment = kit.alignment(vertical="top", wrap_text=True)
    else:
        cell.value = value
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
            cell.number_format = NUMBER_FORMATS.get(column.kind) or _general_format(value)
        elif isinstance(value, datetime):
            cell.number_format = NUMBER_FORMATS["datetime"]
        elif isinstance(value, date):
            cell.number_format = NUMBER_FORMATS["date"]
    if bold:
        cell.font = kit.header_font
    return cell


def _general_format(value: int | Decimal | float) -> str:
    """The format of a number in a text column: Decimal as #,##0.00 (amounts), int as #,##0, float as General."""
    if isinstance(value, Decimal):
        return "#,##0.00"
    return "#,##0" if isinstance(value, int) else "General"


def _safe_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = INVALID_TITLE.sub("_", title).strip("'")[:31] or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[: 31 - len(str(n))]}{n}"
    used.add(name)
    return name


def _write_sheet(workbook: Workbook, spec: Sheet, used: set[str], reveal_personal: bool) -> int:
    """Write one sheet: widths, caption lines, the header (frozen), the rows and the totals; the count of rows."""
    from openpyxl.utils import get_column_letter

    kit = _kit()
    sheet = workbook.create_sheet(_safe_title(spec.title, used))
    columns = list(spec.columns)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(column)
    lines = [line for line in spec.caption.split("\n") if line] if spec.caption else []
    sheet.freeze_panes = f"A{len(lines) + 2}"
    for n, line in enumerate(lines):
        caption = _xlsx_cell(sheet, line, Column("caption", "caption"), kit, styled=True)
        if n == 0:
            caption.font = kit.title_font
        sheet.append([caption])
    header = []
    for column in columns:
        cell = _xlsx_cell(sheet, column.title, column, kit, styled=True)
        cell.font, cell.fill = kit.header_font, kit.header_fill
        cell.alignment = kit.alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in spec.rows:
        sheet.append([_xlsx_cell(sheet, cell_value(row.get(c.key), c, reveal_personal), c, kit) for c in columns])
        count += 1
    for row in spec.totals:
        sheet.append([_xlsx_cell(sheet, cell_value(row.get(c.key), c, reveal_personal), c, kit, bold=True) for c in columns])
    return count


def xlsx_bytes(sheets: Sequence[Sheet], *, reveal_personal: bool = False) -> bytes:
    """A workbook of the sheets, streamed (write-only), as the bytes of an .xlsx file."""
    return xlsx_bytes_counted(sheets, reveal_personal=reveal_personal)[0]


def xlsx_bytes_counted(sheets: Sequence[Sheet], *, reveal_personal: bool = False) -> tuple[bytes, int]:
    """``xlsx_bytes`` and the number of data rows written (totals not counted), for the audit line."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    count = sum(_write_sheet(workbook, spec, used, reveal_personal) for spec in sheets)
    if not sheets:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


# ---------------------------------------------------------------------------------------------------- CSV


def csv_text(value: Any, column: Column) -> str:
    """A CSV field: numbers plain (a ratio as 30.26%), dates ISO, formula-looking text behind a single quote."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if is_formula_like(value) else value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if column.kind == "percent" and isinstance(value, Decimal):
        return f"{(value * 100).quantize(CENT, ROUND_HALF_UP)}%"
    return str(value)


def csv_bytes(sheet: Sheet, *, reveal_personal: bool = False) -> bytes:
    """The sheet as CSV: UTF-8 with BOM (so that Excel opens it in Chinese), RFC 4180 quoting, CRLF line ends; the
    caption is not written (a CSV is read back by machines)."""
    return csv_bytes_counted(sheet, reveal_personal=reveal_personal)[0]


def csv_bytes_counted(sheet: Sheet, *, reveal_personal: bool = False) -> tuple[bytes, int]:
    """``csv_bytes`` and the number of data rows written, for the audit line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    columns = list(sheet.columns)
    writer.writerow([csv_text(c.title, c) for c in columns])
    count = 0
    for row in sheet.rows:
        writer.writerow([csv_text(cell_value(row.get(c.key), c, reveal_personal), c) for c in columns])
        count += 1
    for row in sheet.totals:
        writer.writerow([csv_text(cell_value(row.get(c.key), c, reveal_personal), c) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


# ---------------------------------------------------------------------------------------------------- download

DownloadAuditor = Callable[..., None]
_auditor: list[DownloadAuditor] = []


def set_download_auditor(auditor: DownloadAuditor) -> None:
    """Register the function that writes a download's audit line (accounts does, with ``audit.record_apart``):
    called as ``auditor(actor_name, "download", "export", what, after=..., client=...)``."""
    _auditor[:] = [auditor]


def audit_download(actor: Actor, *, what: str, filename: str, rows: int, revealed: bool, client: str = "") -> None:
    """Write the audit line of one download; refuse (RuntimeError) when no auditor is registered."""
    if not _auditor:
        raise RuntimeError("no download auditor registered (accounts.audit registers one): a download is never unaudited")
    after = {"file": filename, "rows": rows, "personal_data": "revealed" if revealed else "masked"}
    _auditor[0](actor.name, "download", "export", what, after=after, client=client)


def content_disposition(filename: str) -> str:
    """An attachment header every browser reads: an ASCII fallback and the real name in RFC 5987 ``filename*``."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename.encode("ascii", "replace").decode("ascii")) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(content: bytes, filename: str, *, actor: Actor, what: str, rows: int, revealed: bool = False, client: str = "") -> Response:
    """The file as an attachment, after its audit line (action ``download``, target ``export``/``what``)."""
    from starlette.responses import Response

    audit_download(actor, what=what, filename=filename, rows=rows, revealed=revealed, client=client)
    media_type = CSV_TYPE if filename.lower().endswith(".csv") else XLSX_TYPE
    return Response(content, media_type=media_type, headers={"Content-Disposition": content_disposition(filename)})
