"""Readers: turn a file (CSV in UTF-8 with or without BOM or GB18030, XLSX, Parquet, JSON lines) into a DuckDB
table expression whose columns are the file's own headers, read as text where the format allows.

Files are streamed, never held whole in Python: DuckDB scans CSV, Parquet and JSON lines itself; GB18030 CSV and
XLSX are transcoded chunk by chunk into a UTF-8 CSV in the home's tmp/ first.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb

from livecommerce.core.errors import UnreadableInput
from livecommerce.ingest.rules import ident, quote

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet",
           ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
SNIFF_BYTES = 1 << 20


_HASHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sha256")


@dataclass
class Source:
    """One input file prepared for DuckDB: its table expression, headers, format and provenance."""

    path: Path
    name: str
    format: str
    encoding: str
    digest: Future[str] | None = None  # the sha256, computed beside DuckDB's work (hashlib releases the GIL)
    relation: str = ""
    headers: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)  # header → DuckDB type (VARCHAR for CSV and XLSX)
    temp_dir: Path = Path(".")
    header_rows: int = 1  # rows before the first data row: a clerk's row number = record number + header_rows
    temp_files: list[Path] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.digest.result() if self.digest is not None else ""

    def fall_back_to_gb18030(self) -> None:
        """The file looked like UTF-8 at its start but is not: read it as GB18030 (the Chinese Excel default)."""
        readable = _transcode(self.path, self.temp_dir, "gb18030")
        self.temp_files.append(readable)
        self.encoding, self.relation = "gb18030", _csv_relation(readable)

    def cleanup(self) -> None:
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
    with path.open("r", encoding=encoding, errors="strict", newline="") as src, target.open(
        "w", encoding="utf-8", newline=""
    ) as dst:
        try:
            for block in iter(lambda: src.read(SNIFF_BYTES), ""):
                dst.write(block)
        except UnicodeDecodeError as exc:
            target.unlink(missing_ok=True)
            raise UnreadableInput(f"file {path.name}: neither UTF-8 nor GB18030 text ({exc.reason})") from exc
    return target


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[Sequence[object]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        worksheet = workbook.get_sheet_by_name(sheet) if sheet else workbook.get_sheet_by_index(0)
        yield from worksheet.iter_rows()
    except Exception as exc:  # calamine raises its own error types for broken files
        raise UnreadableInput(f"file {path.name}: not a readable XLSX workbook ({exc})") from exc


def _xlsx_to_csv(path: Path, temp_dir: Path, sheet: str | None) -> Path:
    target = temp_dir / f"{uuid.uuid4().hex}.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in _xlsx_rows(path, sheet):
            writer.writerow([_cell(value) for value in row])
    return target


def _csv_relation(path: Path) -> str:
    return (f"read_csv({quote(path.as_posix())}, header=true, all_varchar=true, auto_detect=true, "
            f"null_padding=true, strict_mode=false)")


def open_source(connection: duckdb.DuckDBPyConnection, path: Path, temp_dir: Path, *, fmt: str | None = None,
                sheet: str | None = None, name: str | None = None) -> Source:
    """Prepare one file: detect its format and encoding, transcode if needed, and read its headers."""
    if not path.is_file():
        raise UnreadableInput(f"file {path}: does not exist")
    fmt = detect_format(path, fmt)
    source = Source(path=path, name=name or path.name, format=fmt, encoding="", digest=_HASHER.submit(sha256_of, path),
                    temp_dir=temp_dir)
    temp_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        source.encoding = csv_encoding(path)
        readable = path if source.encoding == "utf-8" else _transcode(path, temp_dir, source.encoding)
        if readable != path:
            source.temp_files.append(readable)
        source.relation = _csv_relation(readable)
    elif fmt == "xlsx":
        source.encoding = "xlsx"
        readable = _xlsx_to_csv(path, temp_dir, sheet)
        source.temp_files.append(readable)
        source.relation = _csv_relation(readable)
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
        keys = [row[0] for row in connection.execute(
            f"SELECT DISTINCT unnest(json_keys(json)) FROM {objects}").fetchall()]
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
