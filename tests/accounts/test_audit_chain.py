"""The audit log is a hash chain the application cannot alter (issue 13, point 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from livecommerce.accounts import audit
from livecommerce.accounts.models import AuditChainHead, AuditEntry
from livecommerce.cli import app as cli_app
from livecommerce.core import db
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings, get_settings


def add_lines(count: int, actor: str = "admin", action: str = "users.update") -> None:
    """``count`` lines, each in a transaction of its own."""
    for n in range(count):
        with session_scope() as session:
            audit.record(session, actor, action, "user", str(n + 1), {"role": "auditor"}, {"role": f"r{n}"})


def lines() -> list[AuditEntry]:
    with session_scope() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_line_hash_is_the_sha256_of_its_fields_in_a_fixed_order(registry_home: Settings) -> None:
    with session_scope() as session:
        entry = audit.record(session, "admin", "users.create", "user", "7", None, {"username": "张三"}, client="10.0.0.1 curl")
        entry.at = datetime(2026, 12, 7, 4, 5, 6, 123456, tzinfo=UTC)
    canonical = (
        '["' + "0" * 64 + '",1,"2026-12-07T04:05:06.123456Z","admin","users.create","user","7",null,'
        '"{\\"username\\": \\"张三\\"}","ok","10.0.0.1 curl"]'
    )
    [stored] = lines()
    assert stored.id == 1 and stored.prev_hash == "0" * 64
    assert stored.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_each_line_carries_the_hash_of_the_line_before(registry_home: Settings) -> None:
    with session_scope() as session:
        for name in ("a", "b", "c"):
            audit.record(session, name, "login")
    add_lines(2)
    stored = lines()
    assert [entry.id for entry in stored] == [1, 2, 3, 4, 5]
    assert [entry.actor for entry in stored[:3]] == ["a", "b", "c"]  # the order they were recorded in
    assert [entry.prev_hash for entry in stored[1:]] == [entry.hash for entry in stored[:-1]]
    with session_scope() as session:
        head = session.get(AuditChainHead, 1)
        assert head is not None and (head.last_id, head.last_hash) == (5, stored[-1].hash)
        assert audit.verify(session).intact and audit.verify(session).checked == 5


def test_a_rolled_back_line_leaves_no_trace_in_the_chain(registry_home: Settings) -> None:
    add_lines(1)
    with pytest.raises(RuntimeError), session_scope() as session:
        audit.record(session, "admin", "users.update")
        session.flush()
        raise RuntimeError("the write fails")
    add_lines(1)
    assert [entry.id for entry in lines()] == [1, 2]
    with session_scope() as session:
        assert audit.verify(session).intact


def test_text_longer_than_its_column_is_cut_before_it_is_hashed(registry_home: Settings) -> None:
    with session_scope() as session:
        audit.record(session, "x" * 80, "login", client="c" * 300 + "\x00")
    [stored] = lines()
    assert stored.actor == "x" * 64 and len(stored.client) == 200
    with session_scope() as session:
        assert audit.verify(session).intact


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'mallory' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 1",
        "UPDATE audit_chain_head SET last_id = 0",
        "DELETE FROM audit_chain_head",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_line(registry_home: Settings, statement: str) -> None:
    add_lines(2)
    with pytest.raises(DBAPIError) as refused, session_scope() as session:
        session.execute(text(statement))
    assert "append-only" in str(refused.value) or "only moves forward" in str(refused.value) or "cannot be deleted" in str(refused.value)
    assert [entry.actor for entry in lines()] == ["admin", "admin"]


def test_postgresql_refuses_truncate(registry_home: Settings) -> None:
    if registry_home.registry_url.startswith("sqlite"):
        pytest.skip("SQLite has no TRUNCATE")
    add_lines(1)
    with pytest.raises(DBAPIError, match="append-only"), session_scope() as session:
        session.execute(text("TRUNCATE audit_log"))


def _drop_triggers(settings: Settings) -> None:
    """What someone with the database owner's rights can do: remove the triggers."""
    with session_scope() as session:
        if settings.registry_url.startswith("sqlite"):
            for name in ("audit_log_no_update", "audit_log_no_delete", "audit_chain_head_forward"):
                session.execute(text(f"DROP TRIGGER {name}"))
        else:
            session.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))
            session.execute(text("DROP TRIGGER audit_chain_head_no_change ON audit_chain_head"))


def _verify_cli() -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["audit", "verify"])
    return result.exit_code, result.output


def test_verify_names_a_line_altered_behind_the_triggers_back(registry_home: Settings) -> None:
    add_lines(5)
    code, output = _verify_cli()
    assert code == 0 and "5 lines checked" in output
    _drop_triggers(registry_home)
    with session_scope() as session:
        session.execute(text('UPDATE audit_log SET after = \'{"role": "province_admin"}\' WHERE id = 3'))
    code, output = _verify_cli()
    third = lines()[2]
    assert code == 1
    assert "line 3" in output and "altered" in output and audit.at_text(third.at) in output
    assert "'admin'" in output and "'users.update'" in output and "2 lines before it are intact" in output


def test_verify_names_the_line_after_a_deleted_one(registry_home: Settings) -> None:
    add_lines(5)
    _drop_triggers(registry_home)
    with session_scope() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = 2"))
    code, output = _verify_cli()
    assert code == 1 and "line 3" in output and "deleted" in output and "line 1" in output


def test_verify_catches_a_line_inserted_with_a_forged_hash(registry_home: Settings) -> None:
    add_lines(3)
    _drop_triggers(registry_home)
    with session_scope() as session:
        last = session.get(AuditEntry, 3)
        assert last is not None
        session.execute(
            text(
                "INSERT INTO audit_log (id, at, actor, action, target_type, target_id, outcome, client, "
                "prev_hash, hash) VALUES (4, :at, 'mallory', 'users.update', 'user', '1', 'ok', '', :p, :h)"
            ),
            {"at": last.at, "p": last.hash, "h": "f" * 64},
        )
    code, output = _verify_cli()
    assert code == 1 and "line 4" in output and "'mallory'" in output and "altered" in output


def test_verify_catches_lines_cut_from_the_end(registry_home: Settings) -> None:
    add_lines(4)
    _drop_triggers(registry_home)
    with session_scope() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = 4"))
    code, output = _verify_cli()
    assert code == 1 and "names line 4 but the log ends at line 3" in output


def test_verify_catches_a_row_edited_in_the_sqlite_file_directly(registry_home: Settings) -> None:
    """Someone with the file (not the application) drops the trigger with the sqlite3 module and edits a line."""
    if not registry_home.registry_url.startswith("sqlite"):
        pytest.skip("the SQLite file")
    add_lines(3)
    db.dispose_engines()
    path = Path(registry_home.registry_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET actor = 'nobody' WHERE id = 2")
    code, output = _verify_cli()
    assert code == 1 and "line 2" in output and "'nobody'" in output


def test_parallel_writers_never_fork_the_chain(registry_home: Settings) -> None:
    """8 threads x 25 lines, each line its own transaction, at once: 200 lines, ids 1..200, every link holds."""
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(worker: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                with session_scope(registry_home) as session:
                    audit.record(session, f"w{worker}", "users.update", "user", str(n))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(worker,)) for worker in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    stored = lines()
    assert [entry.id for entry in stored] == list(range(1, threads * per_thread + 1))
    with session_scope() as session:
        verdict = audit.verify(session)
    assert verdict.intact and verdict.checked == threads * per_thread


def test_record_apart_in_a_request_waits_for_the_request_to_end(registry_home: Settings) -> None:
    """Inside ``deferred_apart`` a line is collected, not written (the request may hold SQLite's write lock)."""
    with audit.deferred_apart() as pending:
        audit.record_apart("admin", "download", "export", "entities", after={"rows": 3})
        assert lines() == [] and len(pending) == 1
        audit.write_deferred(pending)
    assert [(entry.action, entry.after) for entry in lines()] == [("download", '{"rows": 3}')]


def test_record_apart_logs_a_failure_and_does_not_raise(registry_home: Settings, caplog: pytest.LogCaptureFixture) -> None:
    with session_scope() as session:
        session.execute(text("DROP TABLE audit_chain_head"))
    audit.record_apart("admin", "download")
    assert "could not write the audit line admin download" in caplog.text


def _upgrade(settings: Settings, revision: str) -> None:
    from alembic import command

    command.upgrade(db._alembic_config(settings), revision)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migration_chains_the_lines_already_there(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines written before 0007 (ids with a gap) are hashed in id order; new lines continue the chain."""
    monkeypatch.setenv("LIVECOMMERCE_HOME", str(tmp_path / "home"))
    if backend == "postgres":
        monkeypatch.setenv("LIVECOMMERCE_DATABASE_URL", request.getfixturevalue("pg_database"))
    else:
        monkeypatch.delenv("LIVECOMMERCE_DATABASE_URL", raising=False)
    (tmp_path / "home").mkdir()
    get_settings.cache_clear()
    db.dispose_engines()
    settings = get_settings()
    _upgrade(settings, "0006")
    with db.get_engine(settings).begin() as connection:
        for line_id, actor in ((1, "a"), (2, "b"), (5, "c")):
            connection.execute(
                text(
                    "INSERT INTO audit_log (id, at, actor, action, target_type, target_id, outcome, "
                    "client) VALUES (:id, :at, :actor, 'login', 'user', '1', 'ok', '')"
                ),
                {"id": line_id, "at": datetime(2026, 1, line_id, tzinfo=UTC), "actor": actor},
            )
    _upgrade(settings, "head")
    with session_scope(settings) as session:
        audit.record(session, "d", "logout")
    stored = lines()
    assert [(entry.id, entry.actor) for entry in stored] == [(1, "a"), (2, "b"), (5, "c"), (6, "d")]
    assert stored[0].prev_hash == "0" * 64 and stored[3].prev_hash == stored[2].hash
    with session_scope(settings) as session:
        assert audit.verify(session).intact and audit.verify(session).checked == 4
    db.dispose_engines()
    get_settings.cache_clear()


def test_an_anchor_noted_earlier_catches_a_chain_rewritten_from_there_on(registry_home: Settings) -> None:
    """Someone rewrites line 2 and every hash after it and the head: the chain holds, the anchor does not."""
    add_lines(3)
    anchor = f"3:{lines()[2].hash}"
    assert CliRunner().invoke(cli_app, ["audit", "verify", "--anchor", anchor]).exit_code == 0
    _drop_triggers(registry_home)
    with session_scope() as session:
        session.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE id = 2"))
        prev = session.get(AuditEntry, 1)
        assert prev is not None
        prev_hash = prev.hash
        for line in session.scalars(select(AuditEntry).where(AuditEntry.id >= 2).order_by(AuditEntry.id)):
            line.prev_hash, line.hash = prev_hash, audit.line_hash(line, prev_hash)
            prev_hash = line.hash
            session.flush()
        session.execute(text("UPDATE audit_chain_head SET last_hash = :h"), {"h": prev_hash})
    assert _verify_cli()[0] == 0  # a consistent rewrite passes the chain alone
    result = CliRunner().invoke(cli_app, ["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 1 and "line 3 has hash" in result.output and "rewritten" in result.output
    assert CliRunner().invoke(cli_app, ["audit", "verify", "--anchor", "3:abc"]).exit_code == 2
