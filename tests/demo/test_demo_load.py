"""Loading the demo through ingest: every generated row is accepted, and loading again changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.core.settings import Settings
from livecommerce.demo.files import Manifest
from livecommerce.demo.loader import load
from livecommerce.warehouse.engine import connect


def test_every_generated_row_is_accepted(tiny: Path, home: Settings) -> None:
    manifest = Manifest.read(tiny)
    loads = load(tiny)
    assert [result.feed for result in loads] == list(manifest.feeds)
    for result in loads:
        assert (result.feed, result.rejected, result.replaced, result.problems) == (result.feed, 0, 0, [])
        assert result.accepted == manifest.feeds[result.feed].rows
    with connect(home) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone() == (manifest.feeds["orders"].rows,)


def test_loading_the_same_demo_twice_replaces_nothing(tiny: Path, home: Settings) -> None:
    load(tiny)
    again = load(tiny)
    assert all((result.rejected, result.replaced) == (0, 0) for result in again)


def test_the_command_writes_loads_and_summarises(home: Settings, tmp_path: Path) -> None:
    out = tmp_path / "demo-files"
    result = CliRunner().invoke(app, ["demo", "--scale", "tiny", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "平台订单明细" in result.output and "拒收" in result.output
    assert Manifest.read(out).seed == 3
    shutil.rmtree(out)


def test_no_load_only_writes_files(home: Settings) -> None:
    result = CliRunner().invoke(app, ["demo", "--scale", "tiny", "--no-load"])
    assert result.exit_code == 0, result.output
    assert (home.home / "demo" / "tiny-seed1" / "manifest.json").exists()
    assert "未导入" in result.output
    with connect(home) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone() == (0,)


def test_a_directory_that_is_not_a_demo_is_never_overwritten(home: Settings, tmp_path: Path) -> None:
    keep = tmp_path / "documents"
    keep.mkdir()
    (keep / "report.docx").write_bytes(b"precious")
    result = CliRunner().invoke(app, ["demo", "--scale", "tiny", "--no-load", "--out", str(keep)])
    assert result.exit_code == 2
    assert (keep / "report.docx").read_bytes() == b"precious"
