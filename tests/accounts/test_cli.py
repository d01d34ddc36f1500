"""`livecommerce users ...` as the operator types it (the group mounted on a root command of its own)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from livecommerce.accounts import cli as accounts_cli
from livecommerce.accounts import login, sessions
from livecommerce.accounts.models import ApiToken, AuditEntry, User
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.core.timeutil import now

from .conftest import PASSWORD


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Root of the test command."""

    accounts_cli.register(app)
    result = CliRunner().invoke(app, list(args), input=stdin, terminal_width=200)
    return result.exit_code, result.output


def test_create_admin_prints_the_generated_password_once(home: Settings) -> None:
    code, output = run("users", "create-admin", "admin")
    assert code == 0, output
    match = re.search(r"initial password: (\S+)", output)
    assert match is not None and "初始密码" in output
    with session_scope() as session:
        admin = login.authenticate(session, "admin", match.group(1))
        assert admin.role == "province_admin" and admin.must_change_password


def test_create_admin_reads_the_password_from_stdin_and_refuses_a_second(home: Settings) -> None:
    code, output = run("users", "create-admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and PASSWORD not in output
    code, output = run("users", "create-admin", "other", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and "province_admin exists already" in output


def test_add_takes_a_region_name_and_list_masks_phones(home: Settings) -> None:
    run("users", "create-admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    code, output = run("users", "add", "hrb", "--role", "city_officer", "--region", "哈尔滨", "--phone", "13812345678")
    assert code == 0 and "initial password" in output
    code, output = run("users", "list")
    assert "哈尔滨市 (230100)" in output and "138****5678" in output and "13812345678" not in output


def test_add_with_a_bad_scope_exits_with_the_reason(home: Settings) -> None:
    code, output = run("users", "add", "x", "--role", "county_officer", "--region", "230100")
    assert code == 1 and "needs a county region" in output


def test_token_is_printed_once(home: Settings) -> None:
    run("users", "add", "douyin", "--role", "platform")
    code, output = run("users", "token", "douyin", "--name", "抖音数据推送")
    token = re.search(r"(lc_\S+)", output)
    assert code == 0 and token is not None
    with session_scope() as session:
        found = sessions.resolve_token(session, token.group(1))
        assert found is not None and found[0].username == "douyin"


@pytest.mark.parametrize("command", [("users", "add", "weak", "--role", "province_analyst"), ("users", "create-admin", "weak")])
@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-1", "密码至少12位 (a password needs at least 12 characters)"),
        (" " * 12, "at least two classes"),
        ("weak-1234567", "may not be or contain the username"),
        ("password1234", "common passwords"),
    ],
)
def test_a_weak_piped_password_exits_2_with_the_rule(home: Settings, command: tuple[str, ...], password: str, rule: str) -> None:
    code, output = run(*command, "--password-stdin", stdin=password + "\n")
    assert code == 2 and rule in output, output
    with session_scope() as session:
        assert session.scalar(select(User.id).where(User.username == "weak")) is None


def test_reset_password_refuses_a_weak_password_with_exit_2(home: Settings) -> None:
    run("users", "create-admin", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    code, output = run("users", "reset-password", "admin", "--password-stdin", stdin="aaaaaaaaaaaaaaaa\n")
    assert code == 2 and "密码须包含字母、数字、其他符号中的至少两类" in output


def token_json(*args: str) -> dict[str, object]:
    code, output = run("users", "token", *args, "--format", "json")
    assert code == 0, output
    return dict(json.loads(output))


def test_token_json_is_id_token_and_expiry_default_90_days(home: Settings) -> None:
    run("users", "add", "douyin", "--role", "platform")
    issued = token_json("douyin", "--name", "抖音数据推送")
    assert set(issued) == {"id", "token", "expires_at"}
    with session_scope() as session:
        row = session.get(ApiToken, issued["id"])
        assert row is not None and row.token_hash == sessions.token_hash(str(issued["token"]))
    lives = datetime.fromisoformat(str(issued["expires_at"])) - now()
    assert timedelta(days=89, hours=23) < lives <= timedelta(days=90)


def test_token_expires_days_is_1_to_365(home: Settings) -> None:
    run("users", "add", "douyin", "--role", "platform")
    lives = datetime.fromisoformat(str(token_json("douyin", "--name", "a", "--expires-days", "365")["expires_at"])) - now()
    assert timedelta(days=364, hours=23) < lives <= timedelta(days=365)
    code, output = run("users", "token", "douyin", "--name", "b", "--expires-days", "366")
    assert code == 1 and "1 to 365 days" in output
    assert run("users", "token", "douyin", "--name", "c", "--expires-days", "0")[0] == 1


def test_tokens_lists_and_revoke_token_revokes(home: Settings) -> None:
    run("users", "add", "douyin", "--role", "platform")
    run("users", "add", "kuaishou", "--role", "platform")
    first = token_json("douyin", "--name", "抖音")
    token_json("kuaishou", "--name", "快手")
    code, output = run("users", "tokens", "douyin", "--format", "json")
    listed = json.loads(output)
    assert code == 0 and [(row["id"], row["username"], row["state"]) for row in listed] == [(first["id"], "douyin", "active")]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    code, output = run("users", "revoke-token", str(first["id"]))
    assert code == 0 and f"#{first['id']}" in output
    every = json.loads(run("users", "tokens", "--format", "json")[1])
    assert [(row["username"], row["state"]) for row in every] == [("kuaishou", "active"), ("douyin", "revoked")]
    code, output = run("users", "tokens")
    assert code == 0 and "已吊销" in output and "有效" in output
    with session_scope() as session:
        assert sessions.resolve_token(session, str(first["token"])) is None
    assert run("users", "revoke-token", "999")[0] == 1


def test_deactivate_revokes_tokens_and_activate_does_not_revive_them(home: Settings) -> None:
    run("users", "add", "douyin", "--role", "platform")
    issued = token_json("douyin", "--name", "抖音")
    code, output = run("users", "deactivate", "douyin")
    assert code == 0 and "已停用" in output
    with session_scope() as session:
        assert sessions.resolve_token(session, str(issued["token"])) is None
    assert run("users", "activate", "douyin")[0] == 0
    with session_scope() as session:
        assert sessions.resolve_token(session, str(issued["token"])) is None
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type.in_(["user", "api_token"])).order_by(AuditEntry.id)
        ).all()
    assert actions == ["users.create", "tokens.issue", "users.update", "users.update"]


def test_reset_password_revokes_tokens_unless_kept(home: Settings) -> None:
    run("users", "add", "douyin", "--role", "platform")
    kept = token_json("douyin", "--name", "抖音")
    assert run("users", "reset-password", "douyin", "--keep-tokens")[0] == 0
    with session_scope() as session:
        assert sessions.resolve_token(session, str(kept["token"])) is not None
    assert run("users", "reset-password", "douyin")[0] == 0
    with session_scope() as session:
        assert sessions.resolve_token(session, str(kept["token"])) is None
