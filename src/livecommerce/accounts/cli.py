"""`livecommerce users ...`: the operator on the server manages accounts and tokens (runs as core.scope.SystemActor).

Exit codes: 0 done, 1 refused (unknown user, invalid scope …), 2 a piped password the policy refuses (the rule is
printed in Chinese and English).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.accounts import service, sessions
from livecommerce.accounts.passwords import WeakPassword
from livecommerce.accounts.roles import ROLES
from livecommerce.core.db import ensure_home, session_scope
from livecommerce.core.errors import LiveCommerceError, ValidationFailed
from livecommerce.core.privacy import mask_phone
from livecommerce.core.scope import SystemActor
from livecommerce.reference.regions import regions

users = typer.Typer(name="users", help="用户与令牌管理 (users and API tokens)", no_args_is_help=True)
console = Console()
OPERATOR = SystemActor(name="cli")

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first stdin line.")]


def register(app: typer.Typer) -> None:
    """Mount the `users` group on the root command."""
    app.add_typer(users)


def _fail(exc: LiveCommerceError) -> typer.Exit:
    """Print a service error for the operator; exit code 2 for a weak password, 1 for any other refusal."""
    console.print(f"[red]错误 / error:[/red] {escape(str(exc))}", highlight=False)
    for problem in getattr(exc, "problems", []):
        console.print(f"  - {escape(str(problem))}", highlight=False)
    return typer.Exit(2 if isinstance(exc, WeakPassword) else 1)


def _read_password() -> str:
    """The first line of stdin, without its line ending."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationFailed("no password on stdin (标准输入中没有密码)")
    return password


def _show_password(username: str, password: str) -> None:
    """Show a generated password once, clearly, in Chinese and English."""
    console.print(f"用户 / user: [bold]{username}[/bold]", highlight=False)
    console.print(f"初始密码 / initial password: [bold yellow]{password}[/bold yellow]", highlight=False)
    console.print("该密码只显示这一次，请妥善保存；首次登录后须修改密码。")
    console.print("Shown only this once: store it safely; it must be changed at first login.")


@users.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="Username of the first province_admin (省级管理员).")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Create the first province_admin; refused once one exists. Prints a generated password unless one is piped."""
    ensure_home()
    try:
        password = _read_password() if password_stdin else None
        user, password = service.create_first_admin(username, password)
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    if password_stdin:
        console.print(f"已创建省级管理员 / province_admin created: {user.username}", highlight=False)
    else:
        _show_password(user.username, password)


@users.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="Username whose password the operator resets.")],
    password_stdin: PasswordStdin = False,
    keep_tokens: Annotated[bool, typer.Option("--keep-tokens", help="Keep the user's API tokens (a feed account).")] = False,
) -> None:
    """Set a new password (generated and printed once unless one is piped) that the user must change at first login;
    ends the user's sessions and revokes its API tokens unless --keep-tokens; audited."""
    ensure_home()
    try:
        password = _read_password() if password_stdin else service.generate_password(username)
        with session_scope() as session:
            user = service.get_user_by_username(session, OPERATOR, username)
            service.set_password(session, OPERATOR, user.id, password, keep_tokens=keep_tokens)
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    if password_stdin:
        console.print(f"已重置密码 / password reset: {username}", highlight=False)
    else:
        _show_password(username, password)


@users.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Username (2-64 letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    region: Annotated[str | None, typer.Option("--region", help="Region code or name (city/county officers).")] = None,
    entity: Annotated[str | None, typer.Option("--entity", help="统一社会信用代码 (enterprise users).")] = None,
    display_name: Annotated[str, typer.Option("--display-name", help="Name shown in the console.")] = "",
    phone: Annotated[str | None, typer.Option("--phone", help="Mobile number (stored, shown masked).")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user with a role and scope; a password is generated and printed once unless one is piped."""
    ensure_home()
    try:
        password = _read_password() if password_stdin else service.generate_password(username)
        with session_scope() as session:
            user = service.create_user(
                session,
                OPERATOR,
                username,
                role,
                password,
                scope_region=region,
                scope_entity=entity,
                display_name=display_name,
                phone=phone,
            )
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    if password_stdin:
        console.print(f"已创建用户 / user created: {user.username} ({ROLES[user.role]})", highlight=False)
    else:
        _show_password(user.username, password)


def _scope_text(scope_region: str | None, scope_entity: str | None) -> str:
    if scope_region:
        return f"{regions().full_name(scope_region)} ({scope_region})"
    return f"主体 {scope_entity}" if scope_entity else "全省"


def _state(user: object) -> str:
    """正常 / 停用 / 待改密 of a user."""
    if not getattr(user, "active", True):
        return "停用"
    return "待改密" if getattr(user, "must_change_password", False) else "正常"


@users.command("list")
def list_() -> None:
    """List every user: username, role, scope, masked phone, state (正常/停用/待改密)."""
    ensure_home()
    table = Table("用户名", "角色", "数据范围", "手机号", "状态")
    with session_scope() as session:
        for user in service.list_users(session, OPERATOR):
            table.add_row(
                user.username,
                ROLES.get(user.role, user.role),
                _scope_text(user.scope_region, user.scope_entity),
                mask_phone(user.phone) or "",
                _state(user),
            )
    console.print(table)


@users.command("token")
def token(
    username: Annotated[str, typer.Argument(help="The user the token acts as (e.g. a platform feed account).")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'douyin feed'.")],
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Days it lives, 1-365 (default: the token_default_days setting, 90).")
    ] = None,
    output: Annotated[str, typer.Option("--format", help='text, or json: {"id", "token", "expires_at"}.')] = "text",
) -> None:
    """Issue an API token for a user and print it once (send it as `Authorization: Bearer <token>`); audited."""
    ensure_home()
    _check_format(output, ("text", "json"))
    try:
        with session_scope() as session:
            user = service.get_user_by_username(session, OPERATOR, username)
            issued = sessions.issue_token(session, OPERATOR, user.id, name, expires_days)
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    if output == "json":
        typer.echo(json.dumps({"id": issued.id, "token": issued.token, "expires_at": issued.expires_at.isoformat()}))
        return
    console.print(
        f"接口令牌 / API token #{issued.id} for {username} ({name}), 有效期至 / expires {issued.expires_at:%Y-%m-%d %H:%M} UTC:",
        highlight=False,
    )
    console.print(issued.token, style="bold yellow", highlight=False, soft_wrap=True)
    console.print("该令牌只显示这一次，请妥善保存。")
    console.print("Shown only this once: store it safely.")


def _check_format(output: str, allowed: tuple[str, ...]) -> None:
    if output not in allowed:
        console.print(f"[red]错误 / error:[/red] --format is one of {', '.join(allowed)}, got {escape(output)!r}", highlight=False)
        raise typer.Exit(2)


STATES = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}


def _when(moment: object) -> str:
    return moment.isoformat() if hasattr(moment, "isoformat") else ""


@users.command("tokens")
def tokens(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens (default: every user's).")] = None,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List API tokens (never their plaintext): id, user, name, issued, expires, last used, state."""
    from livecommerce.accounts.schemas import TokenPublic

    ensure_home()
    _check_format(output, ("table", "json"))
    try:
        with session_scope() as session:
            user_id = service.get_user_by_username(session, OPERATOR, username).id if username else None
            rows = [TokenPublic.of(row, user, sessions.token_state(row)) for row, user in sessions.list_tokens(session, OPERATOR, user_id)]
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    if output == "json":
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False))
        return
    table = Table("ID", "用户名", "名称", "签发时间", "签发人", "有效期至", "最近使用", "状态")
    for row in rows:
        table.add_row(
            str(row.id),
            row.username,
            escape(row.name),
            f"{row.created_at:%Y-%m-%d %H:%M}",
            row.created_by,
            f"{row.expires_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "—",
            STATES[row.state],
        )
    console.print(table)


@users.command("revoke-token")
def revoke_token(token_id: Annotated[int, typer.Argument(help="The token's id (see `users tokens`).", min=1, max=2**63 - 1)]) -> None:
    """Revoke an API token at once; audited."""
    ensure_home()
    try:
        with session_scope() as session:
            row = sessions.revoke_token(session, OPERATOR, token_id)
            name = row.name
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    console.print(f"已吊销令牌 / token revoked: #{token_id} ({escape(name)})", highlight=False)


@users.command("deactivate")
def deactivate(username: Annotated[str, typer.Argument(help="The user to deactivate (停用).")]) -> None:
    """Deactivate a user: its login sessions end and its API tokens are revoked at once; audited."""
    ensure_home()
    try:
        with session_scope() as session:
            user = service.get_user_by_username(session, OPERATOR, username)
            service.deactivate(session, OPERATOR, user.id)
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    console.print(f"已停用 / deactivated: {username}（会话已结束，令牌已吊销 / sessions ended, tokens revoked）", highlight=False)


@users.command("activate")
def activate(username: Annotated[str, typer.Argument(help="The user to activate again (启用).")]) -> None:
    """Activate a deactivated user; tokens revoked at deactivation stay revoked (issue new ones); audited."""
    ensure_home()
    try:
        with session_scope() as session:
            user = service.get_user_by_username(session, OPERATOR, username)
            service.activate(session, OPERATOR, user.id)
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    console.print(f"已启用 / activated: {username}", highlight=False)
