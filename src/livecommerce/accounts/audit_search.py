"""Reading the audit log (审计日志查询) for auditors: filters, pages, labels and summaries (audit.read only).

A time range is two dates in Asia/Shanghai with both days included (DESIGN.md: Time); lines are newest first (by id,
the chain's order). Every function here asks ``ensure(actor, "audit.read")`` first: administrators and auditors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from livecommerce.accounts.models import AuditEntry
from livecommerce.core.errors import ValidationFailed
from livecommerce.core.scope import Actor, ensure
from livecommerce.core.timeutil import SHANGHAI, aware

READ = "audit.read"
EXPORT_MAX = 200_000  # lines in one XLSX export; a larger selection is refused with a request to narrow it
SUMMARY_MAX = 300
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # a filter's days (date.min/max would overflow in UTC)

ACTIONS = {
    "login": "登录",
    "logout": "退出",
    "users.create": "新建用户",
    "users.update": "修改用户",
    "users.set_password": "重置密码",
    "users.change_password": "修改本人密码",
    "users.deactivate": "停用用户",
    "users.activate": "启用用户",
    "tokens.issue": "签发令牌",
    "tokens.revoke": "吊销令牌",
    "entity.create": "新建主体",
    "entity.update": "修改主体",
    "entity.import": "导入主体",
    "entity.replace": "导入更新主体",
    "shop.import": "导入店铺",
    "shop.replace": "导入更新店铺",
    "streamer.import": "导入主播",
    "streamer.replace": "导入更新主播",
    "base.import": "导入基地",
    "base.replace": "导入更新基地",
    "ingest": "数据导入",
    "target.create": "新建目标",
    "target.update": "修改目标",
    "policy.run": "政策测算",
    "monitor.acknowledge": "确认预警",
    "monitor.silence": "新建静默",
    "monitor.silence.expire": "结束静默",
    "uploads.purge": "清理上传文件",
    "download": "下载导出",
    "denied": "越权访问被拒",
    "csrf": "请求校验失败被拒",
    "auth": "令牌认证失败",
}
OUTCOMES = {"ok": "成功", "failed": "失败", "locked": "已锁定", "refused": "已拒绝", "rejected": "已拒收", "partial": "部分成功"}
TARGETS = {
    "user": "用户",
    "api_token": "令牌",
    "entity": "主体",
    "shop": "店铺",
    "streamer": "主播",
    "base": "基地",
    "batch": "导入批次",
    "target": "目标",
    "policy_run": "政策测算",
    "monitor_alert": "预警",
    "monitor_silence": "静默",
    "export": "导出文件",
    "request": "请求",
}
SUMMARY_KEYS = (
    "username",
    "role",
    "scope_region",
    "scope_entity",
    "user",
    "name",
    "reason",
    "file",
    "rows",
    "personal_data",
    "status",
    "feed",
    "accepted",
    "rejected",
)


def action_label(code: str) -> str:
    """The Chinese name of an action code ('users.create' → 新建用户); an unknown code is shown as it is."""
    return ACTIONS.get(code, code)


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor asks for: an actor, an action, a target (type and/or id) and a range of days (both included)."""

    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        for name in ("actor", "action", "target_type", "target_id"):
            if "\x00" in (getattr(self, name) or ""):
                raise ValidationFailed(f"{name} may not contain a NUL character (筛选条件含非法字符)")
        for day in (self.date_from, self.date_to):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise ValidationFailed(f"日期 {day} 超出范围 {FIRST_DAY} 至 {LAST_DAY} (date out of range)")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed(f"起始日期 {self.date_from} 晚于截止日期 {self.date_to} (from is after to)")

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions: exact actor, action, target type and id; at within the Shanghai days, UTC-bound."""
        found: list[ColumnElement[bool]] = []
        for value, column in (
            (self.actor, AuditEntry.actor),
            (self.action, AuditEntry.action),
            (self.target_type, AuditEntry.target_type),
            (self.target_id, AuditEntry.target_id),
        ):
            if value:
                found.append(column == value)
        if self.date_from:
            found.append(AuditEntry.at >= day_start(self.date_from))
        if self.date_to:
            found.append(AuditEntry.at < day_start(self.date_to + timedelta(days=1)))
        return found

    def describe(self) -> str:
        """The filter in Chinese, for an export's caption: '操作人 admin；操作 登录；日期 2026-12-01 至 2026-12-07'."""
        parts = [
            f"操作人 {self.actor}" if self.actor else "",
            f"操作 {action_label(self.action)}" if self.action else "",
            f"对象 {TARGETS.get(self.target_type, self.target_type)}" if self.target_type else "",
            f"对象编号 {self.target_id}" if self.target_id else "",
        ]
        if self.date_from or self.date_to:
            parts.append(f"日期 {self.date_from or '最早'} 至 {self.date_to or '今天'}")
        return "；".join(part for part in parts if part) or "全部"


def parse_day(value: str | None, label: str) -> date | None:
    """A date written 2026-12-07 (empty: none), or ValidationFailed naming the field and the value."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(f"{label}「{value}」不是日期，请按 2026-12-07 的格式填写 (not a date)") from None


def day_start(day: date) -> datetime:
    """The first instant of a day in Shanghai, in UTC (what audit_log.at holds)."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


@dataclass(frozen=True)
class AuditPage:
    """One page of lines and how many lines the filter selects in all."""

    total: int
    items: list[AuditEntry]


def count(session: Session, actor: Actor, wanted: AuditFilter) -> int:
    """How many lines the filter selects."""
    ensure(actor, READ)
    return int(session.scalar(select(func.count()).select_from(AuditEntry).where(*wanted.conditions())) or 0)


def search(session: Session, actor: Actor, wanted: AuditFilter, limit: int = 50, offset: int = 0) -> AuditPage:
    """A page of lines, newest first, and the total the filter selects."""
    ensure(actor, READ)
    limit, offset = max(1, min(limit, 1000)), max(0, offset)
    query = select(AuditEntry).where(*wanted.conditions()).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return AuditPage(count(session, actor, wanted), list(session.scalars(query)))


def stream(session: Session, actor: Actor, wanted: AuditFilter) -> Iterator[AuditEntry]:
    """Every line the filter selects, newest first, read a batch at a time (for an export)."""
    ensure(actor, READ)
    query = select(AuditEntry).where(*wanted.conditions()).order_by(AuditEntry.id.desc())
    for entry in session.scalars(query.execution_options(yield_per=1000)):
        yield entry
        session.expunge(entry)


def choices(session: Session, actor: Actor) -> dict[str, list[str]]:
    """The actions and target types present in the log (for the filter's lists), each sorted."""
    ensure(actor, READ)
    actions = session.scalars(select(AuditEntry.action).distinct()).all()
    targets = session.scalars(select(AuditEntry.target_type).distinct()).all()
    return {"actions": sorted(set(actions) | set(ACTIONS)), "target_types": sorted(t for t in targets if t)}


def _loads(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def summary(before: str | None, after: str | None) -> str:
    """One line of what a line changed: 'role: a → b' where both sides are there, the key fields of a creation,
    '删除 …' of a removal; at most 300 characters."""
    old, new = _loads(before), _loads(after)
    if isinstance(old, dict) and isinstance(new, dict):
        parts = [
            f"{key}: {_short(old.get(key))} → {_short(new.get(key))}" for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)
        ]
        line = "；".join(parts) or "无变化"
    elif isinstance(new, dict):
        keys = [key for key in SUMMARY_KEYS if new.get(key) not in (None, "")] or sorted(new)
        line = "；".join(f"{key}: {_short(new.get(key))}" for key in keys)
    elif isinstance(old, dict):
        line = "删除 " + "；".join(f"{key}: {_short(value)}" for key, value in sorted(old.items()))
    else:
        line = "" if old is None and new is None else f"{_short(old)} → {_short(new)}"
    return line if len(line) <= SUMMARY_MAX else line[: SUMMARY_MAX - 1] + "…"


def as_row(entry: AuditEntry) -> dict[str, Any]:
    """A line as the page, the API and the export show it: codes and their Chinese labels, the summary."""
    return {
        "id": entry.id,
        "at": aware(entry.at).astimezone(SHANGHAI),
        "actor": entry.actor,
        "action": entry.action,
        "action_label": action_label(entry.action),
        "target_type": entry.target_type,
        "target_label": TARGETS.get(entry.target_type, entry.target_type),
        "target_id": entry.target_id,
        "outcome": entry.outcome,
        "outcome_label": OUTCOMES.get(entry.outcome, entry.outcome),
        "client": entry.client,
        "summary": summary(entry.before, entry.after),
        "before": _loads(entry.before),
        "after": _loads(entry.after),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
