"""Backup and restore: a demo home round-trips to a new home with the same rows, figures and logins; a damaged,
altered or foreign archive, or a non-empty home, is refused with its reason and nothing is written."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from livecommerce.backup.restore import occupied_by
from livecommerce.backup.service import BackupError, backup
from livecommerce.cli import app
from livecommerce.core import db
from livecommerce.core.settings import Settings, get_settings
from livecommerce.demo.generator import generate
from livecommerce.demo.loader import load
from livecommerce.demo.scales import get_scale
from tests.conftest import _use_home
from tests.web.conftest import PASSWORD, add_user, submit_login

QUESTION = ["stats", "query", "-i", "online_retail", "--by", "city", "--period", "2025", "--format", "json"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo") / "tiny"
    generate(get_scale("tiny"), 1, directory)
    return directory


@pytest.fixture(scope="module")
def loaded_template(tmp_path_factory: pytest.TempPathFactory, template_home: Path) -> Path:
    """The tiny demo province, an analyst who can log in, and one kept upload: made once, copied for each test."""
    directory = tmp_path_factory.mktemp("demo") / "tiny"
    generate(get_scale("tiny"), 1, directory)
    path = tmp_path_factory.mktemp("loaded") / "home"
    shutil.copytree(template_home, path)
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = _use_home(path, None, monkeypatch)
        load(directory)
        add_user("analyst", "province_analyst")
        kept = settings.uploads_dir / "20250101-000000-abcdef"
        kept.mkdir(parents=True)
        (kept / "orders.csv").write_text("platform,order_id\ndouyin,O1\n", encoding="utf-8")
    db.dispose_engines()
    return path


@pytest.fixture
def loaded(loaded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A copy of the loaded home, in use by this process."""
    shutil.copytree(loaded_template, tmp_path / "home")
    yield _use_home(tmp_path / "home", None, monkeypatch)
    db.dispose_engines()
    get_settings.cache_clear()


def _switch(path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point this process at another home without initialising it (restore must find it empty)."""
    monkeypatch.setenv("LIVECOMMERCE_HOME", str(path))
    get_settings.cache_clear()
    db.dispose_engines()
    db.forget_initialised()
    return get_settings()


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _backup(loaded: Settings, tmp_path: Path, name: str = "home.tar.gz") -> tuple[Path, dict[str, Any]]:
    archive = tmp_path / name
    result = _cli("backup", "--output", str(archive), "--format", "json")
    assert result.exit_code == 0, result.output
    return archive, json.loads(result.output)


def test_round_trip_gives_the_same_rows_figures_and_logins(loaded: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _cli(*QUESTION)
    assert before.exit_code == 0, before.output
    archive, summary = _backup(loaded, tmp_path)
    assert summary["warehouse"]["orders"] > 0 and summary["registry"]["users"] == 1
    assert summary["uploads"] == {"files": 1, "bytes": 28}

    target = _switch(tmp_path / "restored", monkeypatch)
    restored = _cli("restore", str(archive), "--format", "json")
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.output) == summary
    import sqlite3

    from livecommerce.backup.service import duckdb_counts, sqlite_counts

    assert duckdb_counts(target.warehouse_file) == summary["warehouse"]
    with sqlite3.connect(target.home / "registry.sqlite3") as connection:
        assert sqlite_counts(connection) == summary["registry"]
    assert (target.uploads_dir / "20250101-000000-abcdef" / "orders.csv").read_text() == "platform,order_id\ndouyin,O1\n"
    after = _cli(*QUESTION)
    assert after.exit_code == 0, after.output
    assert json.loads(after.output)["rows"] == json.loads(before.output)["rows"]

    from livecommerce.web.app import create_app

    application = create_app()
    with TestClient(application) as client:
        assert submit_login(client, "analyst", PASSWORD).status_code == 303
    with TestClient(application) as stranger:
        assert submit_login(stranger, "analyst", "wrong-password-1").status_code != 303


def test_a_non_empty_home_is_refused_without_force(loaded: Settings, tmp_path: Path) -> None:
    archive, _ = _backup(loaded, tmp_path)
    orders_file = loaded.warehouse_file.stat().st_mtime_ns
    result = _cli("restore", str(archive))
    assert result.exit_code == 2
    assert "is not empty" in result.output and "--force" in result.output
    assert loaded.warehouse_file.stat().st_mtime_ns == orders_file


def test_force_replaces_a_home(loaded: Settings, tmp_path: Path) -> None:
    archive, summary = _backup(loaded, tmp_path)
    _cli("backup", "--output", str(tmp_path / "unused.tar"))
    (loaded.uploads_dir / "later.csv").write_text("x", encoding="utf-8")
    result = _cli("restore", str(archive), "--force", "--format", "json")
    assert result.exit_code == 0, result.output
    assert not (loaded.uploads_dir / "later.csv").exists()
    assert json.loads(result.output)["warehouse"] == summary["warehouse"]


def _rewrite(archive: Path, target: Path, change: Any) -> None:
    """Copy a (gzip) archive member by member, letting ``change(name, data)`` alter each member's bytes."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w") as out:
        for member in source:
            data = change(member.name, source.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def _refused_and_nothing_written(archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    target = _switch(tmp_path / "fresh", monkeypatch)
    result = _cli("restore", str(archive))
    assert result.exit_code == 2, result.output
    assert not target.home.exists() or occupied_by(target) == []
    assert not target.warehouse_file.exists()
    return " ".join(result.output.split())


def test_a_tampered_member_is_refused_before_anything_is_written(loaded: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive, _ = _backup(loaded, tmp_path)
    tampered = tmp_path / "tampered.tar"
    _rewrite(archive, tampered, lambda name, data: data.replace(b"O1", b"O2") if name.endswith("orders.csv") else data)
    message = _refused_and_nothing_written(tampered, tmp_path, monkeypatch)
    assert "uploads/20250101-000000-abcdef/orders.csv" in message and "altered or damaged" in message


def test_a_truncated_archive_is_refused(loaded: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive, _ = _backup(loaded, tmp_path)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    message = _refused_and_nothing_written(cut, tmp_path, monkeypatch)
    assert "truncated or damaged" in message


def test_a_manifest_that_lies_about_rows_is_refused(loaded: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive, _ = _backup(loaded, tmp_path)

    def more_orders(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["warehouse"]["tables"]["orders"] += 1
        return json.dumps(manifest).encode()

    forged = tmp_path / "forged.tar"
    _rewrite(archive, forged, more_orders)
    message = _refused_and_nothing_written(forged, tmp_path, monkeypatch)
    assert "rows per table differ from the manifest in orders" in message


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stray = tmp_path / "notes.tar"
    with tarfile.open(stray, "w") as out:
        info = tarfile.TarInfo("../etc/passwd")
        info.size = 1
        out.addfile(info, io.BytesIO(b"x"))
    message = _refused_and_nothing_written(stray, tmp_path, monkeypatch)
    assert "'../etc/passwd' is not a plain file inside the archive" in message


def test_a_backup_never_overwrites_a_file(loaded: Settings, tmp_path: Path) -> None:
    (tmp_path / "exists.tar").write_bytes(b"keep")
    result = _cli("backup", "--output", str(tmp_path / "exists.tar"))
    assert result.exit_code == 2 and (tmp_path / "exists.tar").read_bytes() == b"keep"


def test_a_postgresql_registry_is_named_with_pg_dump(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="postgresql+psycopg://lc@db.example/lc")
    with pytest.raises(BackupError, match="pg_dump --format=custom"):
        backup(tmp_path / "out.tar", settings)
    assert not (tmp_path / "out.tar").exists()


def test_backup_while_another_process_writes_takes_the_last_committed_state(loaded: Settings, tmp_path: Path) -> None:
    """A writer in another process holds the warehouse's lock with an uncommitted row; the backup neither waits for it
    nor contains that row."""
    script = (
        f"import duckdb, time\ncon = duckdb.connect({str(loaded.warehouse_file)!r})\ncon.execute('BEGIN')\n"
        "con.execute(\"DELETE FROM orders\")\nprint('holding', flush=True)\ntime.sleep(30)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        started = time.monotonic()
        manifest = backup(tmp_path / "during.tar", loaded)
        assert time.monotonic() - started < 10
    finally:
        writer.kill()
        writer.wait()
    from livecommerce.warehouse.engine import connect

    with connect(loaded, read_only=True) as con:
        assert manifest["warehouse"]["tables"]["orders"] == con.execute("SELECT count(*) FROM orders").fetchall()[0][0] > 0
