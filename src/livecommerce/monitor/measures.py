"""What each rule measures in a session and how its alert says it (the value a threshold is compared with, and the
summary in words): the engine's judges, apart from its clocks (engine.py). rules.yaml has the thresholds."""

from __future__ import annotations

from collections.abc import Callable

from livecommerce.monitor.rules import RuleSpec
from livecommerce.monitor.state import SessionState


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def stalled_summary(spec: RuleSpec, silent: float) -> str:
    return f"{spec.title}：已 {silent:.0f} 秒未收到任何事件（阈值 {spec.threshold:.0f} 秒）"


def _viewers_value(state: SessionState, spec: RuleSpec, at: float) -> float:
    reference = state.viewers.highest(at)
    if reference < spec.params.get("min_reference", 100) or reference <= 0:
        return 0.0
    return 1 - state.online / reference


def _viewers_summary(state: SessionState, spec: RuleSpec, at: float, value: float) -> str:
    reference = state.viewers.highest(at)
    if not value:
        return f"在线人数 {state.online:,}（{spec.window:.0f} 秒内最高 {reference:,}）"
    return f"在线人数 {spec.window:.0f} 秒内由 {reference:,} 降至 {state.online:,}（下降 {_pct(value)}，阈值 {_pct(spec.threshold)}）"


def _sales_value(state: SessionState, spec: RuleSpec, at: float) -> float:
    minutes = state.orders_minute
    minutes.roll(at)
    count = state.orders_window.at(at)
    if len(minutes.order) < spec.params.get("min_minutes", 5) or count < spec.params.get("min_orders", 20):
        return 0.0
    return count / max(minutes.median(), 1.0)


def _sales_summary(state: SessionState, spec: RuleSpec, at: float, value: float) -> str:
    count, median = state.orders_window.at(at), state.orders_minute.median()
    return (
        f"近 {spec.window:.0f} 秒订单 {count:,} 单，为本场此前每分钟中位数 {median:g} 单的 {value:.1f} 倍"
        f"（阈值：超过 {spec.threshold:g} 倍）" + ("，疑似刷单" if spec.meets(value) else "")
    )


def _refund_value(state: SessionState, spec: RuleSpec, at: float) -> float:
    refunds = state.refunds_window.at(at)
    if refunds < spec.params.get("min_refunds", 10):
        return 0.0
    return refunds / max(state.orders_long.at(at), 1)


def _refund_summary(state: SessionState, spec: RuleSpec, at: float, value: float) -> str:
    refunds, orders = state.refunds_window.at(at), state.orders_long.at(at)
    return (
        f"近 {spec.window:.0f} 秒退款 {refunds} 笔、订单 {orders} 单，退款率 {_pct(refunds / max(orders, 1))}"
        f"（阈值 {_pct(spec.threshold)}，且至少 {spec.params.get('min_refunds', 10)} 笔）"
    )


def _complaint_value(state: SessionState, spec: RuleSpec, at: float) -> float:
    return float(state.complaints_window.at(at))


def complaint_summary(state: SessionState, spec: RuleSpec, at: float, value: float) -> str:
    return f"近 {spec.window:.0f} 秒收到投诉 {value:.0f} 件（阈值 {spec.threshold:g} 件）"


def _negative_value(state: SessionState, spec: RuleSpec, at: float) -> float:
    lines = state.chat_window.at(at)
    if lines < spec.params.get("min_lines", 20):
        return 0.0
    return state.negative_window.at(at) / lines


def _negative_summary(state: SessionState, spec: RuleSpec, at: float, value: float) -> str:
    lines, bad = state.chat_window.at(at), state.negative_window.at(at)
    return f"近 {spec.window:.0f} 秒弹幕 {lines} 条，其中负面 {bad} 条（{_pct(bad / max(lines, 1))}，阈值：超过 {_pct(spec.threshold)}）"


def price_value(state: SessionState, product_id: str) -> tuple[float, str]:
    product = state.products.get(product_id)
    if product is None or not product.first_price:
        return 0.0, ""
    change = abs(product.price - product.first_price) / product.first_price
    return float(change), (f"商品「{product.title}」价格由 {product.first_price} 元改为 {product.price} 元（变动 {_pct(float(change))}）")


VALUES: dict[str, Callable[[SessionState, RuleSpec, float], float]] = {
    "viewers-drop": _viewers_value,
    "sales-spike": _sales_value,
    "refund-surge": _refund_value,
    "complaint-surge": _complaint_value,
    "negative-chat": _negative_value,
}
SUMMARIES: dict[str, Callable[[SessionState, RuleSpec, float, float], str]] = {
    "viewers-drop": _viewers_summary,
    "sales-spike": _sales_summary,
    "refund-surge": _refund_summary,
    "complaint-surge": complaint_summary,
    "negative-chat": _negative_summary,
}
