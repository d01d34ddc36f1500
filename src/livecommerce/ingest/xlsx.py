"""Streamed XLSX reading (XLSX 流式读取): a workbook's sheet read row by row from its zip, never whole in memory.

A workbook is a zip of XML parts. Before any part is parsed, the zip's directory is checked: a part that would
expand more than MAX_RATIO times its compressed size (a "zip bomb") is refused, and no part is ever read past the
size its directory declares. Shared strings and sheet rows are parsed with expat in blocks; a cell longer than
Excel's own limit (32,767 characters) and a sheet with more than ``max_rows`` data rows are refused as soon as they
are met, so a crafted file costs little time and memory however far it claims to expand.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

from livecommerce.core.errors import UnreadableInput

MAX_CELL_CHARS = 32_767  # Excel's limit of one cell (Excel specifications and limits)
MAX_COLUMNS = 16_384  # column XFD
MAX_RATIO = 100  # real sheets deflate 5-30 times; a bomb several hundred times
RATIO_FLOOR = 8 << 20  # parts smaller than this expand harmlessly whatever their ratio
MAX_META_BYTES = 32 << 20  # workbook.xml, its relations, styles.xml
BLOCK = 1 << 16
DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}  # built-in dates, zh-CN ones too
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class _Stop(Exception):
    """Raised inside an expat handler to end parsing with a reason."""


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _column_index(ref: str) -> int:
    """0-based column of a cell reference: A1 → 0, AB7 → 27."""
    index = 0
    for char in ref:
        if not char.isalpha():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _is_date_format(code: str) -> bool:
    """Whether an Excel number format shows a date or time (quoted text, [colours] and escapes stripped)."""
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return any(token in plain for token in "ymdhs") and "general" not in plain


class Workbook:
    """One XLSX file opened for streaming: its zip checked, its shared strings and date styles read."""

    def __init__(self, path: Path, name: str, sheet: str | None, max_rows: int) -> None:
        self.name, self.max_rows = name, max_rows
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnreadableInput(f"file {name}: not a readable XLSX workbook ({exc})") from exc
        try:
            self._check_sizes()
            self.date1904, self.sheet_part = self._sheet_part(sheet)
            self.date_styles = self._date_styles()
            self.strings = self._shared_strings()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def _refuse(self, reason: str) -> UnreadableInput:
        return UnreadableInput(f"file {self.name}: {reason}")

    def _check_sizes(self) -> None:
        """Refuse a part that claims to expand far beyond what real workbooks do, before reading any."""
        for info in self.zip.infolist():
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise self._refuse(
                    f"part {info.filename} expands {info.file_size // max(info.compress_size, 1)} times "
                    f"({info.compress_size:,} → {info.file_size:,} bytes); refused as a zip bomb (limit {MAX_RATIO} times)"
                )

    def _open(self, part: str) -> IO[bytes]:
        try:
            return self.zip.open(part)
        except KeyError as exc:
            raise self._refuse(f"not an XLSX workbook (no part {part})") from exc

    def _xml(self, part: str) -> ElementTree.Element:
        """A small metadata part parsed whole (its declared size bounded)."""
        if self.zip.getinfo(part).file_size > MAX_META_BYTES:
            raise self._refuse(f"part {part} is larger than {MAX_META_BYTES >> 20} MB")
        try:
            with self._open(part) as handle:
                return ElementTree.parse(handle).getroot()
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
            raise self._refuse(f"not a readable XLSX workbook ({part}: {exc})") from exc

    def _sheet_part(self, sheet: str | None) -> tuple[bool, str]:
        """(dates counted from 1904?, the zip part of the asked sheet or the first)."""
        if "xl/workbook.xml" not in self.zip.namelist():
            raise self._refuse("not an XLSX workbook (no xl/workbook.xml)")
        book = self._xml("xl/workbook.xml")
        pr = book.find(f"{MAIN_NS}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        sheets = [(s.get("name", ""), s.get(f"{REL_NS}id", "")) for s in book.iter(f"{MAIN_NS}sheet")]
        chosen = [s for s in sheets if s[0] == sheet] if sheet else sheets[:1]
        if not chosen:
            names = ", ".join(s[0] for s in sheets)
            raise self._refuse(f"no sheet {sheet!r}" + (f" (sheets: {names})" if names else ""))
        rels = self._xml("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in self.zip.namelist() else None
        target = next((r.get("Target", "") for r in (rels if rels is not None else []) if r.get("Id") == chosen[0][1]), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if not target or part not in self.zip.namelist():
            raise self._refuse(f"sheet {chosen[0][0]!r} has no worksheet part")
        return date1904, part

    def _date_styles(self) -> set[int]:
        """Indexes of the cell styles that show a date or time."""
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        styles = self._xml("xl/styles.xml")
        custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in styles.iter(f"{MAIN_NS}numFmt")}
        xfs = styles.find(f"{MAIN_NS}cellXfs")
        dated = set()
        for index, xf in enumerate(xfs if xfs is not None else []):
            fmt = int(xf.get("numFmtId", "0") or 0)
            if fmt in custom and _is_date_format(custom[fmt]) or fmt not in custom and fmt in DATE_FORMAT_IDS:
                dated.add(index)
        return dated

    def _shared_strings(self) -> list[str]:
        """The shared strings table, each string bounded at MAX_CELL_CHARS."""
        if "xl/sharedStrings.xml" not in self.zip.namelist():
            return []
        strings: list[str] = []
        text: list[str] = []
        state = {"t": False, "rph": 0, "length": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            if tag == "si":
                text.clear()
                state["length"] = 0
            elif tag == "rPh":
                state["rph"] += 1
            elif tag == "t" and not state["rph"]:
                state["t"] = True

        def end(name: str) -> None:
            tag = _local(name)
            if tag == "si":
                strings.append("".join(text))
            elif tag == "rPh":
                state["rph"] -= 1
            elif tag == "t":
                state["t"] = False

        def data(chunk: str) -> None:
            if state["t"]:
                state["length"] += len(chunk)
                if state["length"] > MAX_CELL_CHARS:
                    raise _Stop(f"shared string {len(strings) + 1} is longer than Excel's {MAX_CELL_CHARS:,} characters")
                text.append(chunk)

        for _ in self._parse("xl/sharedStrings.xml", start, end, data):
            pass
        return strings

    def _parse(self, part: str, start: object, end: object, data: object, small: Callable[[], bool] = lambda: False) -> Iterator[None]:
        """Feed a part to expat block by block, yielding after each block (handlers collect what they find).

        While ``small()`` holds, blocks are of 1 KB: a sheet's header row comes out before its rows are read.
        """
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data  # type: ignore[assignment]
        try:
            with self._open(part) as handle:
                for block in iter(lambda: handle.read(1024 if small() else BLOCK), b""):
                    parser.Parse(block, False)
                    yield None
                parser.Parse(b"", True)
                yield None
        except _Stop as exc:
            raise self._refuse(str(exc)) from None
        except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise self._refuse(f"not a readable XLSX workbook ({part}: {exc})") from exc

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number in the sheet, cells as text) of every row from the first non-empty one, gaps as empty rows."""
        cell = _CellReader(self)
        previous = 0
        for _ in self._parse(self.sheet_part, cell.start, cell.end, cell.data, lambda: not cell.first_row):
            for number, values in cell.take():
                if previous and number > previous + 1:
                    for gap in range(previous + 1, number):
                        yield gap, []
                previous = max(previous, number)
                yield number, values


ROW, CELL, TEXT, PHONETIC, OTHER = range(5)
TAGS = {"row": ROW, "c": CELL, "v": TEXT, "t": TEXT, "rPh": PHONETIC}


def _tag(tags: dict[str, int], name: str) -> int:
    """The kind of an element, its namespace prefix (x:row) ignored; learnt once per name."""
    kind = tags.get(name)
    if kind is None:
        kind = tags[name] = TAGS.get(_local(name), OTHER)
    return kind


class _CellReader:
    """Expat handlers for a worksheet: collect each finished row, with its cells converted to text.

    The handlers run once per element of a sheet that may hold millions: they keep their state in closures and look
    tags up in one dict (about twice as fast as attributes and string tests).
    """

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.done: list[tuple[int, list[str]]] = []
        self.first_row = 0  # the header's row: data rows are counted from it
        self.base = datetime(1904, 1, 1) if book.date1904 else datetime(1899, 12, 30)
        self.start, self.end, self.data = self._handlers()

    def take(self) -> list[tuple[int, list[str]]]:
        done = self.done[:]
        self.done.clear()
        return done

    def _handlers(self) -> tuple[Callable[[str, dict[str, str]], None], Callable[[str], None], Callable[[str], None]]:
        tags: dict[str, int] = dict(TAGS)
        row: dict[int, str] = {}
        text: list[str] = []
        state = [0, -1, -1, 0, 0]  # row number, column, style, phonetic depth, length of the text so far
        kind_of = ["n"]  # the cell's type: n, s, b, str, inlineStr, e, d
        collecting = [False]
        value_of, done, max_rows = self._value, self.done, self.book.max_rows

        def start(name: str, attrs: dict[str, str]) -> None:
            kind = tags.get(name)
            if kind is None:
                kind = _tag(tags, name)
            if kind == CELL:
                ref = attrs.get("r")
                column = _column_index(ref) if ref else state[1] + 1
                if not 0 <= column < MAX_COLUMNS:
                    raise _Stop(f"row {state[0]}: cell {ref!r} lies beyond column XFD")
                style = attrs.get("s")
                state[1], kind_of[0] = column, attrs.get("t", "n")
                state[2] = int(style) if style and style.isdigit() else -1
                text.clear()
                state[4] = 0
            elif kind == TEXT:
                collecting[0] = not state[3]
            elif kind == ROW:
                row.clear()
                number = attrs.get("r", "")
                state[0] = int(number) if number.isdigit() else state[0] + 1
                state[1] = -1
            elif kind == PHONETIC:
                state[3] += 1

        def data(chunk: str) -> None:
            if collecting[0]:
                state[4] += len(chunk)
                if state[4] > MAX_CELL_CHARS:
                    raise _Stop(f"row {state[0]}: a cell longer than Excel's {MAX_CELL_CHARS:,} characters")
                text.append(chunk)

        def end(name: str) -> None:
            kind = tags.get(name)
            if kind is None:
                kind = _tag(tags, name)
            if kind == CELL:
                raw = text[0] if len(text) == 1 else "".join(text)
                value = value_of(raw, kind_of[0], state[2], state[0]) if raw else ""
                if value:
                    row[state[1]] = value
            elif kind == TEXT:
                collecting[0] = False
            elif kind == ROW and row:
                self.first_row = self.first_row or state[0]
                if state[0] - self.first_row > max_rows:
                    raise _Stop(f"more than {max_rows:,} data rows in the sheet (setting max_xlsx_rows)")
                done.append((state[0], [row.get(i, "") for i in range(max(row) + 1)]))
            elif kind == PHONETIC:
                state[3] -= 1

        return start, end, data

    def _value(self, raw: str, kind: str, style: int, row_number: int) -> str:
        if kind == "s":
            try:
                return self.book.strings[int(raw)]
            except (ValueError, IndexError):
                raise _Stop(f"row {row_number}: cell points at shared string {raw!r}, which does not exist") from None
        if kind == "n":
            return self._date(raw) if style in self.book.date_styles else _number(raw)
        if kind == "b":
            return "true" if raw.strip() in ("1", "true") else "false"
        return raw  # inlineStr, str (a formula's text), e (an error such as #N/A), d (an ISO date)

    def _date(self, raw: str) -> str:
        try:
            serial = float(raw)
            moment = self.base + timedelta(milliseconds=round(serial * 86_400_000))
        except (ValueError, OverflowError):
            return raw
        if serial < 1 and not self.book.date1904:
            return moment.strftime("%H:%M:%S")
        if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
            return moment.date().isoformat()
        text = moment.isoformat(sep=" ")
        return text[:-3] if moment.microsecond else text


def _number(raw: str) -> str:
    """A number as Excel stored it, written as a clerk reads it: 100.0 → 100, 35.5 → 35.5, 1E+3 → 1000."""
    if raw.lstrip("-").isdigit():
        return raw
    try:
        value = float(raw)
    except ValueError:
        return raw
    return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
