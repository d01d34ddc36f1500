"""What the monitor's API answers, field by field (issue 15: a schema for every route's output), so /openapi.json
documents each answer. Instants are ISO 8601 strings in Shanghai time (or null); amounts in yuan are decimal strings,
never floats (DESIGN.md Money). The services build these dicts; the routes declare these models as their answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SessionOut(BaseModel):
    """A live session (直播场次) with its figures so far and the number of its firing alerts."""

    platform: str
    session_id: str
    shop: str | None
    streamer: str | None
    region: str | None = Field(description="The county (区县) code of the shop's region.")
    region_name: str | None
    status: str = Field(description="live, paused or ended.")
    started: str | None
    ended: str | None
    last_event: str | None
    peak_online: int
    total_viewers: int
    online: int
    gmv: str = Field(description="成交金额 in yuan, a decimal string.")
    orders: int
    refunds: int
    refunded: str = Field(description="退款金额 in yuan, a decimal string.")
    chat_lines: int
    likes: int
    complaints: int
    alerts_firing: int


class MinuteOut(BaseModel):
    """One minute of a session's curve."""

    minute: str | None
    online: int
    peak_online: int
    orders: int
    gmv: str
    refunds: int
    chat: int
    likes: int


class HitOut(BaseModel):
    """A compliance hit in the session's chat or its spoken words, with the law it breaks."""

    ts: str | None
    source: str
    rule: str
    category: str
    severity: str
    law: str
    text: str
    context: str
    suggestion: str


class AlertOut(BaseModel):
    """An alert (预警): its rule, state, labels and who acknowledged it."""

    id: int
    fingerprint: str
    rule: str
    title: str
    state: str = Field(description="pending, firing, resolved or nodata.")
    severity: str
    labels: dict[str, Any]
    platform: str
    session_id: str
    region: str | None
    region_name: str | None
    summary: str
    value: int | float | None
    started_at: str | None
    updated_at: str | None
    resolved_at: str | None
    muted: str | None = Field(description="The silence that muted it, if any.")
    assignee: str | None
    note: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None


class SessionDetailOut(SessionOut):
    """One session for its review (复盘): minutes, compliance hits, alerts, products."""

    minutes: list[MinuteOut]
    hits: list[HitOut]
    alerts: list[AlertOut]
    products: list[dict[str, Any]] = Field(description="Each product seen: product_id, title, first and last price, orders …")


class AlertTransitionOut(BaseModel):
    """One transition of an alert's history."""

    state: str
    at: str | None
    summary: str
    muted: str | None
    severity: str
    value: int | float | None


class AckOut(BaseModel):
    """One acknowledgement (认领) of an alert."""

    by: str
    assignee: str
    note: str
    at: str | None


class AlertDetailOut(AlertOut):
    """One alert with every transition of its history and every acknowledgement."""

    history: list[AlertTransitionOut]
    acks: list[AckOut]


class AlertPageOut(BaseModel):
    """A page of the alert centre (预警中心)."""

    total: int
    page: int
    page_size: int
    alerts: list[AlertOut]


class SilenceOut(BaseModel):
    """A silence (静默): the labels it matches, its window, whether it is active now."""

    id: int
    matchers: dict[str, str]
    starts: str | None
    ends: str | None
    comment: str
    created_by: str
    created_at: str | None
    active: bool
    region: str
    region_name: str | None
    expired_by: str | None
    expired_at: str | None


class RefusedLineOut(BaseModel):
    """One refused line of a batch: its number in the body and why."""

    line: int
    reason: str


class EventsAnswerOut(BaseModel):
    """The answer to a batch of live events: how many were accepted and refused, by reason, with the first 20 refused
    lines; with from=douyin|kuaishou also what the adapter ignored, by kind (absent otherwise)."""

    accepted: int
    rejected: int
    reasons: dict[str, int]
    examples: list[RefusedLineOut]
    ignored: dict[str, int] | None = None
