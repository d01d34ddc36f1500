"""`livecommerce users ...`: the operator on the server manages accounts (runs as core.scope.SystemActor)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from livecommerce.accounts import service, sessions
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
    """Print a service error for the operator and give the exit code 1."""
    console.print(f"[red]错误 / error:[/red] {escape(str(exc))}", highlight=False)
    for problem in getattr(exc, "problems", []):
        console.print(f"  - {escape(str(problem))}", highlight=False)
    return typer.Exit(1)


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
    console.print("该密码只显示这一次，请妥善保存并在登录后修改。")
    console.print("Shown only this once: store it safely and change it after logging in.")


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
) -> None:
    """Set a new password (generated and printed once unless one is piped); ends the user's sessions, audited."""
    ensure_home()
    try:
        password = _read_password() if password_stdin else service.generate_password()
        with session_scope() as session:
            user = service.get_user_by_username(session, SystemActor(name="cli"), username)
            service.set_password(session, SystemActor(name="cli"), user.id, password)
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
        password = _read_password() if password_stdin else service.generate_password()
        with session_scope() as session:
            user = service.create_user(session, OPERATOR, username, role, password, scope_region=region,
                                       scope_entity=entity, display_name=display_name, phone=phone)
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


@users.command("list")
def list_() -> None:
    """List every user: username, role, scope, masked phone, state (正常/停用/锁定)."""
    ensure_home()
    table = Table("用户名", "角色", "数据范围", "手机号", "状态")
    with session_scope() as session:
        for user in service.list_users(session, OPERATOR):
            state = "正常" if user.active else "停用"
            state = "锁定" if user.active and service.minutes_locked(user) else state
            table.add_row(user.username, ROLES.get(user.role, user.role),
                          _scope_text(user.scope_region, user.scope_entity), mask_phone(user.phone) or "", state)
    console.print(table)


@users.command("token")
def token(
    username: Annotated[str, typer.Argument(help="The user the token acts as (e.g. a platform feed account).")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'douyin feed'.")],
) -> None:
    """Issue an API token for a user and print it once (send it as `Authorization: Bearer <token>`)."""
    ensure_home()
    try:
        with session_scope() as session:
            user = service.get_user_by_username(session, OPERATOR, username)
            plaintext = sessions.issue_token(session, OPERATOR, user.id, name)
    except LiveCommerceError as exc:
        raise _fail(exc) from exc
    console.print(f"接口令牌 / API token for {username} ({name}):", highlight=False)
    console.print(plaintext, style="bold yellow", highlight=False, soft_wrap=True)
    console.print("该令牌只显示这一次，请妥善保存。")
    console.print("Shown only this once: store it safely.")
