"""Readers: turn a file (CSV in UTF-8 with or without BOM or GB18030, XLSX, Parquet, JSON lines) into a DuckDB
table expression whose columns are the file's own headers, read as text where the format allows.

Files are streamed, never held whole in Python: DuckDB scans CSV, Parquet and JSON lines itself; GB18030 CSV and
XLSX are transcoded chunk by chunk into a UTF-8 CSV in the home's tmp/ first. CSV is read as RFC 4180 says, with
the dialect declared to DuckDB (comma, double quote, quote doubled inside a field, a header row, every column
text, strict), never guessed. An XLSX's header row is read first and the sheet only when the headers were accepted.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from livecommerce.core.errors import UnreadableInput
from livecommerce.core.settings import get_settings
from livecommerce.ingest.rules import quote
from livecommerce.ingest.xlsx import Workbook
from livecommerce.warehouse.schema import ident

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
SNIFF_BYTES = 1 << 20
DELIMITERS = {".tsv": "\t"}  # every other CSV is comma-separated (RFC 4180)


_HASHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sha256")


@dataclass
class Source:
    """One input file prepared for DuckDB: its table expression, headers, format and provenance."""

    path: Path
    name: str
    format: str
    encoding: str
    digest: Future[str] | None = None  # the sha256, computed beside DuckDB's work (hashlib releases the GIL)
    _relation: str = ""
    headers: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)  # header → DuckDB type (VARCHAR for CSV and XLSX)
    temp_dir: Path = Path(".")
    header_rows: int = 1  # rows before the first data row: a clerk's row number = record number + header_rows
    temp_files: list[Path] = field(default_factory=list)
    delimiter: str = ","
    materialise: Callable[[], str] | None = None  # builds the relation on first use (an XLSX after its headers passed)
    closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def relation(self) -> str:
        """The DuckDB table expression of the file's rows (an XLSX's sheet is streamed to CSV on first use)."""
        if self.materialise is not None:
            build, self.materialise = self.materialise, None
            self._relation = build()
        return self._relation

    @relation.setter
    def relation(self, value: str) -> None:
        self._relation, self.materialise = value, None

    @property
    def sha256(self) -> str:
        return self.digest.result() if self.digest is not None else ""

    def fall_back_to_gb18030(self) -> None:
        """The file looked like UTF-8 at its start but is not: read it as GB18030 (the Chinese Excel default)."""
        readable = _transcode(self.path, self.temp_dir, "gb18030")
        self.temp_files.append(readable)
        self.encoding, self.relation = "gb18030", _csv_relation(readable, self.headers, self.delimiter)

    def cleanup(self) -> None:
        for close in self.closers:
            close()
        for temp in self.temp_files:
            temp.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path, declared: str | None = None) -> str:
    """csv / xlsx / parquet / jsonl, from the declared format or the file's extension."""
    if declared:
        return declared
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableInput(f"file {path.name}: unknown format {path.suffix!r} (use CSV, XLSX, Parquet or JSON lines)")
    return fmt


def csv_encoding(path: Path) -> str:
    """'utf-8' (with or without BOM) when the file's first megabyte decodes as UTF-8, else 'gb18030'.

    A file that turns out not to be UTF-8 further on makes DuckDB fail on its first bad byte; ingest then reads it
    again as GB18030 (Source.fall_back_to_gb18030), so a large UTF-8 file is never decoded twice.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            decoder.decode(handle.read(SNIFF_BYTES), final=False)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def is_encoding_error(exc: Exception) -> bool:
    """Whether DuckDB refused a CSV for bytes that are not UTF-8."""
    return "not utf-8 encoded" in str(exc).lower() or "invalid unicode" in str(exc).lower()


def _transcode(path: Path, temp_dir: Path, encoding: str) -> Path:
    target = temp_dir / f"{uuid.uuid4().hex}.csv"
    with path.open("r", encoding=encoding, errors="strict", newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        try:
            for block in iter(lambda: src.read(SNIFF_BYTES), ""):
                dst.write(block)
        except UnicodeDecodeError as exc:
            target.unlink(missing_ok=True)
            raise UnreadableInput(f"file {path.name}: neither UTF-8 nor GB18030 text ({exc.reason})") from exc
    return target


def refuse_if_not_text(path: Path, name: str) -> None:
    """Refuse a file named .csv that is not text: a zip (an XLSX renamed), UTF-16, or any binary with NUL bytes."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        raise UnreadableInput(f"file {name}: a zip archive (an XLSX renamed .csv?), not CSV text; upload it as .xlsx")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableInput(f"file {name}: UTF-16 text, not CSV; save it as CSV UTF-8 (逗号分隔) or GB18030")
    nul = head.find(b"\x00")
    if nul >= 0:
        raise UnreadableInput(f"file {name}: binary content (a NUL byte at offset {nul}), not CSV text")


def csv_headers(path: Path, name: str, delimiter: str) -> list[str]:
    """The header record of a UTF-8 CSV (RFC 4180 quoting), read from the file's first megabyte."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        whole = not handle.read(1)
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head, final=whole)
    lines = io.StringIO(text)
    ended = [True]

    def pulled() -> Iterator[str]:
        for line in lines:
            ended[0] = line.endswith(("\n", "\r"))
            yield line

    try:
        header = next(csv.reader(pulled(), delimiter=delimiter, strict=True), None)
    except csv.Error as exc:
        raise UnreadableInput(f"file {name}, row 1: the header row is not valid CSV ({exc})") from exc
    if header is None:
        raise UnreadableInput(f"file {name}: empty, no header row")
    if not whole and not ended[0]:
        raise UnreadableInput(f"file {name}, row 1: the header row is longer than {SNIFF_BYTES >> 20} MB")
    return named_headers(header, name)


def named_headers(header: list[str], name: str) -> list[str]:
    """Headers as columns: a blank one is named column<N> (ignored later); a name given twice is refused."""
    names = [h.strip() or f"column{index}" for index, h in enumerate(header, start=1)]
    seen: dict[str, int] = {}
    for index, column in enumerate(names, start=1):
        if column in seen:
            raise UnreadableInput(f"file {name}, row 1: header {column!r} appears twice (columns {seen[column]} and {index})")
        seen[column] = index
    return names


def _csv_relation(path: Path, headers: list[str], delimiter: str = ",") -> str:
    """read_csv with the RFC 4180 dialect declared, not sniffed: every column text, a short or long row an error."""
    columns = "{" + ", ".join(f"{quote(h)}: 'VARCHAR'" for h in headers) + "}"
    return (
        f"read_csv({quote(path.as_posix())}, header=true, auto_detect=false, delim={quote(delimiter)}, "
        f"quote='\"', escape='\"', columns={columns}, strict_mode=true, null_padding=false)"
    )


CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
CSV_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def csv_error(name: str, exc: Exception) -> str:
    """DuckDB's refusal of a CSV told as a clerk needs it: the file, the row and what is wrong there."""
    text = str(exc)
    line = CSV_LINE.search(text)
    where = f"file {name}, row {line.group(1)}" if line else f"file {name}"
    counts = CSV_COUNTS.search(text)
    if counts:
        expected, found = counts.groups()
        more = "more" if int(found) > int(expected) else "fewer"
        return (
            f"{where}: {found} fields where the header has {expected} ({more} fields than the header; every row of "
            f"a CSV has as many fields as its header, RFC 4180 — quote a field that holds a comma)"
        )
    if "unterminated quote" in text.lower():
        return f'{where}: a quoted field is never closed (a " opens a field that no " ends)'
    if "quote" in text.lower():
        return f'{where}: a double quote inside a field that is not quoted (quote the field and write the quote as "")'
    detail = next((ln for ln in text.splitlines()[1:] if ln.strip() and "Original Line" not in ln), text.splitlines()[0])
    return f"{where}: not valid CSV ({detail.strip()[:300]})"


def _xlsx_to_csv(source: Source, book: Workbook, rows: Iterator[tuple[int, list[str]]]) -> str:
    """Stream the rest of the sheet (its header row already read) into a UTF-8 CSV; return its relation."""
    target = source.temp_dir / f"{uuid.uuid4().hex}.csv"
    source.temp_files.append(target)
    width = len(source.headers)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(source.headers)
        for number, cells in rows:
            if len(cells) > width and any(cells[width:]):
                raise UnreadableInput(f"file {source.name}, row {number}: a value beyond the last headed column")
            writer.writerow((cells + [""] * width)[:width])
    book.close()
    return _csv_relation(target, source.headers)


def _open_xlsx(source: Source, sheet: str | None, max_rows: int) -> None:
    """Read an XLSX's header row only; its rows are streamed when the relation is first used."""
    book = Workbook(source.path, source.name, sheet, max_rows)
    source.closers.append(book.close)
    rows = book.rows()
    first = next(rows, None)
    number, header = first if first is not None else (1, [])
    source.header_rows = number
    source.headers = named_headers(header, source.name) if header else []
    source.types = dict.fromkeys(source.headers, "VARCHAR")
    source.materialise = lambda: _xlsx_to_csv(source, book, rows)


def open_source(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    temp_dir: Path,
    *,
    fmt: str | None = None,
    sheet: str | None = None,
    name: str | None = None,
    max_xlsx_rows: int | None = None,
) -> Source:
    """Prepare one file: detect its format and encoding, transcode if needed, and read its headers."""
    if not path.is_file():
        raise UnreadableInput(f"file {path}: does not exist")
    fmt = detect_format(path, fmt)
    source = Source(path=path, name=name or path.name, format=fmt, encoding="", digest=_HASHER.submit(sha256_of, path), temp_dir=temp_dir)
    temp_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        source.encoding = "xlsx"
        _open_xlsx(source, sheet, max_xlsx_rows or get_settings().max_xlsx_rows)
        return source
    if fmt == "csv":
        refuse_if_not_text(path, source.name)
        source.encoding = csv_encoding(path)
        source.delimiter = DELIMITERS.get(path.suffix.lower(), ",")
        readable = path if source.encoding == "utf-8" else _transcode(path, temp_dir, source.encoding)
        if readable != path:
            source.temp_files.append(readable)
        source.headers = csv_headers(readable, source.name, source.delimiter)
        source.relation = _csv_relation(readable, source.headers, source.delimiter)
    elif fmt == "parquet":
        source.encoding, source.header_rows = "parquet", 0
        source.relation = f"read_parquet({quote(path.as_posix())})"
    else:
        source.encoding, source.header_rows = "utf-8", 0
        source.relation = _json_relation(connection, path)
    described = _describe(connection, source)
    source.headers = [name for name, _ in described]
    source.types = dict(described)
    return source


def _json_relation(connection: duckdb.DuckDBPyConnection, path: Path) -> str:
    """JSON lines read as text: every key of every object becomes a text column (numbers keep their digits)."""
    objects = f"read_ndjson_objects({quote(path.as_posix())})"
    try:
        keys = [row[0] for row in connection.execute(f"SELECT DISTINCT unnest(json_keys(json)) FROM {objects}").fetchall()]
    except duckdb.Error as exc:
        raise UnreadableInput(f"file {path.name}: not JSON lines ({_first_line(exc)})") from exc
    if not keys:
        return f"(SELECT NULL AS __empty FROM {objects} WHERE false)"
    columns = ", ".join(f"json ->> {quote(key)} AS {ident(key)}" for key in sorted(keys))
    return f"(SELECT {columns} FROM {objects})"


def _describe(connection: duckdb.DuckDBPyConnection, source: Source) -> list[tuple[str, str]]:
    try:
        described = connection.execute(f"DESCRIBE SELECT * FROM {source.relation}").fetchall()
    except duckdb.Error as exc:
        raise UnreadableInput(f"file {source.name}: cannot be read as {source.format} ({_first_line(exc)})") from exc
    return [(row[0], row[1]) for row in described]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]
