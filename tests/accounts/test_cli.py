"""`livecommerce users ...` as the operator types it (the group mounted on a root command of its own)."""

from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from livecommerce.accounts import cli as accounts_cli
from livecommerce.accounts import service
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings

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
        assert service.authenticate(session, "admin", match.group(1)).role == "province_admin"


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
    from livecommerce.accounts import sessions

    with session_scope() as session:
        found = sessions.resolve_token(session, token.group(1))
        assert found is not None and found[0].username == "douyin"
