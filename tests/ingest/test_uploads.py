"""Uploads: the body limit (413, nothing kept), file names checked (400 with a reason), the batches list bounded, and
rejected uploads purged after upload_retention_days by the server and by `livecommerce uploads purge`."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from livecommerce.accounts import service as accounts
from livecommerce.core.settings import get_settings
from livecommerce.ingest import cli as ingest_cli
from livecommerce.ingest.uploads import MANIFEST, purge_uploads
from tests.ingest.helpers import HEADER, order
from tests.web.conftest import PASSWORD, hidden, submit_login

DAY = 86_400
LIMIT_MESSAGE = "上传内容超过 1 MB 的上限（设置 max_upload_mb），已拒收，未保存任何内容。"


def csv_bytes(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(row[key] for key in HEADER) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def client(home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The console with a 1 MB body limit, logged in as admin; Starlette's spooled files go to tmp_path/spool."""
    from livecommerce.web.app import create_app

    monkeypatch.setenv("LIVECOMMERCE_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    with TestClient(create_app(get_settings())) as test_client:
        assert submit_login(test_client, "admin", PASSWORD).status_code == 303
        test_client.headers["X-CSRF-Token"] = hidden(test_client.get("/ingest").text, "csrf_token")
        yield test_client


def _folders(home) -> list[Path]:  # type: ignore[no-untyped-def]
    return sorted(home.uploads_dir.iterdir()) if home.uploads_dir.is_dir() else []


def _big_csv() -> bytes:
    return csv_bytes(*[order(f"A{i}") for i in range(12_000)])  # about 1.4 MB


def test_a_body_over_the_limit_is_refused_by_its_content_length_and_nothing_is_kept(client, home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = _big_csv()
    assert len(body) > 1 << 20
    response = client.post("/api/ingest/orders", files=[("files", ("big.csv", body, "text/csv"))])
    assert response.status_code == 413
    assert response.json()["detail"].startswith(LIMIT_MESSAGE)
    assert _folders(home) == [] and list((tmp_path / "spool").iterdir()) == []


def test_a_chunked_body_over_the_limit_is_counted_and_refused(client, home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    boundary = "lc-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n').encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: httpx sends Transfer-Encoding: chunked
        yield head
        body = _big_csv()
        for start in range(0, len(body), 64 << 10):
            yield body[start : start + (64 << 10)]
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post("/api/ingest/orders", content=chunks(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413, response.text
    assert response.json()["detail"].startswith(LIMIT_MESSAGE)
    assert _folders(home) == [] and list((tmp_path / "spool").iterdir()) == []


def test_the_page_refuses_a_big_upload_with_the_chinese_error_page(client, home) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/ingest", data={"feed": "orders"}, files=[("files", ("big.csv", _big_csv(), "text/csv"))])
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"] and LIMIT_MESSAGE in response.text
    assert _folders(home) == []


def test_an_upload_under_the_limit_loads(client, home) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/ingest/orders", files=[("files", ("一月 订单.csv", csv_bytes(order("A1")), "text/csv"))])
    assert response.status_code == 200 and response.json()["accepted"] == 1
    [folder] = _folders(home)
    assert json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["status"] == "loaded"
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "一月_订单.csv"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..", "file name '..': only dots and spaces, not a file name (文件名无效)"),
        ("../orders.csv", "file name '../orders.csv': contains a path separator / or \\ (文件名不能含路径)"),
        ("a\x00.csv", "file name 'a\\x00.csv': contains a control character such as NUL (文件名含控制字符)"),
    ],
)
def test_a_bad_file_name_is_refused_with_its_reason(client, home, name: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    boundary = "lc-boundary"  # written by hand: httpx would escape the NUL
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'.encode()
        + csv_bytes(order("A1"))
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post("/api/ingest/orders", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 422
    assert response.json()["detail"] == reason
    assert _folders(home) == []


def test_an_upload_without_a_file_name_is_refused(client, home) -> None:  # type: ignore[no-untyped-def]
    boundary = "lc-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename=""\r\n\r\nx\r\n--{boundary}--\r\n').encode()
    response = client.post("/api/ingest/orders", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert 400 <= response.status_code < 500 and _folders(home) == []


def test_two_files_of_one_name_are_both_kept(client, home) -> None:  # type: ignore[no-untyped-def]
    files = [("files", ("o.csv", csv_bytes(order("A1")), "text/csv")), ("files", ("o.csv", csv_bytes(order("A2")), "text/csv"))]
    response = client.post("/api/ingest/orders", files=files)
    assert response.json()["accepted"] == 2
    [folder] = _folders(home)
    assert sorted(p.name for p in folder.iterdir()) == ["o-2.csv", "o.csv", MANIFEST]


@pytest.mark.parametrize(
    ("query", "status"),
    [("limit=-1", 422), ("limit=0", 422), ("limit=1001", 422), ("limit=abc", 422), ("limit=1", 200), ("limit=1000", 200)],
)
def test_the_batches_list_bounds_its_limit(client, query: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/api/ingest/batches?{query}").status_code == status


def _age(folder: Path, days: float) -> None:
    moment = time.time() - days * DAY
    os.utime(folder / MANIFEST, (moment, moment))


def _upload_two(client: TestClient, home) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    bad = client.post("/api/ingest/orders", files=[("files", ("bad.csv", csv_bytes(order("B1", paid_amount="-1")), "text/csv"))])
    good = client.post("/api/ingest/orders", files=[("files", ("good.csv", csv_bytes(order("G1")), "text/csv"))])
    assert (bad.json()["status"], good.json()["status"]) == ("rejected", "loaded")
    by_file = {next(p.name for p in folder.iterdir() if p.name != MANIFEST): folder for folder in _folders(home)}
    return by_file["bad.csv"], by_file["good.csv"]


def test_a_rejected_upload_is_purged_after_the_retention_and_a_loaded_one_kept(client, home) -> None:  # type: ignore[no-untyped-def]
    rejected, loaded = _upload_two(client, home)
    assert purge_uploads(home) == []  # both younger than 30 days
    _age(rejected, 29.9)
    _age(loaded, 400)
    assert purge_uploads(home) == []
    _age(rejected, 30.1)
    [purged] = purge_uploads(home)
    assert (purged.folder, purged.status, purged.files) == (rejected.name, "rejected", ["bad.csv"])
    assert _folders(home) == [loaded]


def test_the_cli_purges_and_says_what_it_removed(client, home) -> None:  # type: ignore[no-untyped-def]
    rejected, loaded = _upload_two(client, home)
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """The root command."""

    ingest_cli.register(app)
    result = CliRunner().invoke(app, ["uploads", "purge", "--older-than", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["older_than_days"] == 0
    assert [(r["folder"], r["status"], r["files"]) for r in report["removed"]] == [(rejected.name, "rejected", ["bad.csv"])]
    assert report["bytes"] == len(csv_bytes(order("B1", paid_amount="-1")))
    assert _folders(home) == [loaded]
    again = CliRunner().invoke(app, ["uploads", "purge", "--older-than", "0"], terminal_width=200)
    assert "nothing to purge" in again.output


def test_the_server_purges_at_start_and_every_hour(home, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from livecommerce.web.app import create_app

    old = home.uploads_dir / "20250101-000000-abcdef"
    old.mkdir(parents=True)
    (old / "bad.csv").write_text("x", encoding="utf-8")
    (old / MANIFEST).write_text(json.dumps({"batch": "B1", "status": "failed", "files": ["bad.csv"]}), encoding="utf-8")
    _age(old, 31)
    with TestClient(create_app()):
        deadline = time.monotonic() + 10
        while old.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not old.exists()


def test_a_real_server_refuses_big_bodies_bad_names_and_bad_limits(home, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The same refusals over a socket, uvicorn serving: a chunked body really streamed, Content-Length really sent."""
    import socket
    import threading

    import httpx
    import uvicorn

    from livecommerce.web.app import create_app

    monkeypatch.setenv("LIVECOMMERCE_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    accounts.create_first_admin("admin", PASSWORD, must_change_password=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(get_settings()), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    boundary = "lc-boundary"
    multipart = {"Content-Type": f"multipart/form-data; boundary={boundary}"}

    def body(name: str, content: bytes) -> Iterator[bytes]:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'.encode()
        for start in range(0, len(content), 64 << 10):
            yield content[start : start + (64 << 10)]
        yield f"\r\n--{boundary}--\r\n".encode()

    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            assert submit_login(client, "admin", PASSWORD).status_code == 303  # type: ignore[arg-type]
            client.headers["X-CSRF-Token"] = hidden(client.get("/ingest").text, "csrf_token")
            chunked = client.post("/api/ingest/orders", content=body("big.csv", _big_csv()), headers=multipart)
            assert chunked.status_code == 413 and chunked.json()["detail"].startswith(LIMIT_MESSAGE)
            declared = client.post("/api/ingest/orders", files=[("files", ("big.csv", _big_csv(), "text/csv"))])
            assert declared.status_code == 413 and declared.json()["detail"].startswith(LIMIT_MESSAGE)
            dots = client.post("/api/ingest/orders", content=b"".join(body("..", csv_bytes(order("A1")))), headers=multipart)
            assert dots.status_code == 422 and "only dots" in dots.json()["detail"]
            assert client.get("/api/ingest/batches?limit=-1").status_code == 422
            fine = client.post("/api/ingest/orders", content=body("好.csv", csv_bytes(order("A1"))), headers=multipart)
            assert fine.status_code == 200 and fine.json()["accepted"] == 1
        assert [p.name for p in _folders(home)[0].iterdir() if p.name != MANIFEST] == ["好.csv"]
        assert len(_folders(home)) == 1
    finally:
        server.should_exit = True
        thread.join(timeout=15)
