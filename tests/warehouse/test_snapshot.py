"""The read snapshot: readers answer while another process holds the warehouse's writer lock, with the state of the
last committed write; each write is published when its writer closes; superseded snapshots are unlinked."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from livecommerce.core.settings import Settings
from livecommerce.warehouse.engine import connect
from livecommerce.warehouse.snapshot import read_pointer, snapshot_dir

ROW = (
    "INSERT INTO parcels (carrier, waybill_no, origin_region, dest_region, shipped_at, batch_id) "
    "VALUES ('sf', ?, '230102', '110101', TIMESTAMP '2025-01-10 10:00:00', 'B1')"
)


def _parcels(settings: Settings) -> int:
    with connect(settings, read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM parcels").fetchall()[0][0])


@contextmanager
def _writer_elsewhere(settings: Settings, statement: str = "DELETE FROM parcels") -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the warehouse file open for writing, inside an uncommitted transaction."""
    script = (
        f"import duckdb, time\ncon = duckdb.connect({str(settings.warehouse_file)!r})\ncon.execute('BEGIN')\n"
        f"con.execute({statement!r})\nprint('holding', flush=True)\ntime.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_committed_write_is_read_at_once(home: Settings) -> None:
    with connect(home) as con:
        con.execute(ROW, ["W1"])
        con.execute(ROW, ["W2"])
    assert _parcels(home) == 2


def test_reads_answer_while_another_process_writes_with_the_last_committed_state(home: Settings) -> None:
    with connect(home) as con:
        con.execute(ROW, ["W1"])
    with _writer_elsewhere(home):
        started = time.monotonic()
        counts = [_parcels(home) for _ in range(20)]
        elapsed = time.monotonic() - started
    assert counts == [1] * 20  # the other process's uncommitted DELETE is not seen
    assert elapsed < 5, f"20 reads took {elapsed:.1f} s beside a writer"


def test_a_writer_waits_for_the_other_writer_and_reads_do_not(home: Settings) -> None:
    with _writer_elsewhere(home):
        started = time.monotonic()
        try:
            with connect(home, wait_seconds=0.5):
                raise AssertionError("a second writer got the file")
        except Exception as exc:  # noqa: BLE001 - the refusal names the busy file
            assert "is busy" in str(exc)
        assert time.monotonic() - started < 5


def test_a_new_process_starts_and_queries_while_an_ingest_holds_the_file(home: Settings) -> None:
    """`ensure_home` in a fresh process does not open the file for writing when the snapshot has the whole schema."""
    with _writer_elsewhere(home):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "livecommerce", "stats", "query", "-i", "orders", "--period", "2025", "--format", "json"],
            capture_output=True,
            text=True,
            timeout=50,
            env={**os.environ, "LIVECOMMERCE_HOME": str(home.home)},
        )
        elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert '"value": "0"' in done.stdout or '"rows": []' in done.stdout
    assert elapsed < 20, f"the CLI waited {elapsed:.1f} s"


def test_superseded_snapshots_are_unlinked_and_an_open_reader_keeps_its_own(home: Settings) -> None:
    with connect(home) as con:
        con.execute(ROW, ["W1"])
    with connect(home, read_only=True) as reader:
        for number in range(2, 5):
            with connect(home) as con:
                con.execute(ROW, [f"W{number}"])
        assert reader.execute("SELECT count(*) FROM parcels").fetchall() == [(1,)]
    files = sorted(p.name for p in snapshot_dir(home).glob("*.duckdb"))
    assert len(files) == 2  # the current one and the one before it
    pointer = read_pointer(home)
    assert pointer is not None and pointer.file.name == files[-1]
    assert _parcels(home) == 4


def test_a_writer_that_changes_nothing_publishes_nothing(home: Settings) -> None:
    before = read_pointer(home)
    with connect(home) as con:
        con.execute("SELECT count(*) FROM orders").fetchall()
    assert read_pointer(home) == before


def test_a_write_made_outside_the_platform_is_published_by_the_next_reader(home: Settings) -> None:
    with duckdb.connect(str(home.warehouse_file)) as con:
        con.execute(ROW, ["X1"])
    assert _parcels(home) == 1


def test_publishing_is_a_rename_readers_never_see_a_partial_file(home: Settings) -> None:
    with connect(home) as con:
        con.execute(ROW, ["W1"])
    leftovers = [p.name for p in snapshot_dir(home).iterdir() if p.suffix in (".partial", ".tmp")]
    assert leftovers == []
    assert Path(snapshot_dir(home) / "CURRENT").read_text().startswith("{")
