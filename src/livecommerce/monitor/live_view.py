"""The live wall's view of the engine (直播监测大屏): the sessions the hub's engine holds, narrowed to what the reader may
see (``monitor.read``): all, the sessions of some regions, or those of the reader's own shops.

A session's region is its own ``region`` label, else the region of its shop in the registry (looked up once a shop and
cached), and its entity that shop's USCC. Every read of the engine is made under the hub's lock; the registry is asked
outside it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from livecommerce.core.db import session_scope
from livecommerce.core.scope import Actor, Grant
from livecommerce.core.settings import Settings
from livecommerce.monitor.alerts import FIRING, Instance, iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.state import SessionState
from livecommerce.reference.regions import regions

log = logging.getLogger(__name__)

SPARK = 30  # sparkline buckets on the wall: 30 × 10 s = the last five minutes
Key = tuple[str, str]
Snapshot = tuple[SessionState, dict[str, Any], list[Instance]]


def _session_key(context: Any) -> Key | None:
    """The session an active alert belongs to: its context is the key, (key, product) or (key, "hit", rule)."""
    if isinstance(context, tuple) and context:
        return context if isinstance(context[0], str) else context[0]
    return None


def _region_name(code: str | None) -> str:
    if not code:
        return ""
    region = regions().by_code.get(code)
    return regions().full_name(code) if region is not None else ""


class LiveView:
    """The sessions of ``engine`` as a reader may see them, read under ``lock`` (the hub's)."""

    def __init__(self, engine: Engine, lock: threading.RLock, settings: Settings) -> None:
        self.engine, self.lock, self.settings = engine, lock, settings
        self._owners: dict[Key, tuple[str | None, str | None]] = {}  # (platform, shop) → (uscc, region) in registry

    def _until(self) -> float:
        engine = self.engine
        return max(engine.tick or 0, engine.max_ts or 0)

    def _firing(self) -> dict[Key, list[Instance]]:
        by_session: dict[Key, list[Instance]] = {}
        for instance in self.engine.alerts.active.values():
            key = _session_key(instance.context)
            if key is not None:
                by_session.setdefault(key, []).append(instance)
        return by_session

    def _owner(self, platform: str, shop: str | None) -> tuple[str | None, str | None]:
        """(uscc, region) of the session's shop in the registry, looked up once per shop and cached."""
        if not shop:
            return None, None
        key = (platform, shop)
        if key not in self._owners:
            from livecommerce.entities.service import shop_places

            try:
                with session_scope(self.settings) as db:
                    region, uscc = shop_places(db, [key]).get(key, (None, None))
            except Exception:
                log.exception("monitor hub: shop %s/%s could not be looked up", platform, shop)
                return None, None
            self._owners[key] = (uscc, region)
        return self._owners[key]

    def _visible(self, grant: Grant, labels: dict[str, str]) -> tuple[bool, str | None]:
        """Whether the reader may see the session, and its region (its own label, else its shop's in the registry)."""
        region = labels.get("region")
        if region and (grant.everything or region in grant.regions or not grant.entities):
            return grant.allows(region), region  # the registry is asked only when the shop's owner matters
        uscc, shop_region = self._owner(labels["platform"], labels.get("shop"))
        region = region or shop_region
        return grant.allows(region, uscc), region

    def _snapshots(self, actor: Actor, keep: Callable[[SessionState], bool]) -> list[Snapshot]:
        grant = actor.grant("monitor.read")
        if grant.nothing:
            return []
        with self.lock:
            firing = self._firing()
            chosen = [(state, state.summary(), firing.get(state.key, [])) for state in self.engine.sessions.values() if keep(state)]
        out = []
        for state, summary, alerts in chosen:
            visible, region = self._visible(grant, summary)
            if visible:
                summary["region"] = region or ""
                summary["region_name"] = _region_name(region)
                out.append((state, summary, alerts))
        return out

    def live_sessions(self, actor: Actor, city: str | None = None, platform: str | None = None) -> list[dict[str, Any]]:
        """The sessions the engine holds that the reader may see (live, paused, and those ended in the last 10
        minutes), busiest first: summary, region_name, a five-minute sparkline of online viewers and orders, and the
        number of firing alerts."""
        inside = regions().descendants(city) if city else None

        def keep(state: SessionState) -> bool:
            return platform is None or state.platform == platform

        rows = []
        for state, summary, alerts in self._snapshots(actor, keep):
            if inside is not None and summary["region"] not in inside:
                continue
            with self.lock:
                until = self._until()
                spark = {name: [v for _, v in state.curve(name, until, SPARK)] for name in ("online", "orders")}
            summary["spark"] = spark
            summary["alerts_firing"] = sum(1 for a in alerts if a.state == FIRING)
            rows.append(summary)
        rows.sort(key=lambda r: (r["status"] != "live", -r["online"], r["platform"], r["session_id"]))
        return rows

    def live_session(self, actor: Actor, platform: str, session_id: str) -> dict[str, Any] | None:
        """One session for its live page, or None when the engine does not hold it or the reader may not see it:
        summary, curves of the last half hour (10-s buckets, [epoch ms, value]), the latest chat with its compliance
        hits, the latest hits, and the session's active alerts."""
        key = (platform, session_id)
        found = self._snapshots(actor, lambda state: state.key == key)
        if not found:
            return None
        state, summary, alerts = found[0]
        with self.lock:
            page = {
                "series": self._series(state),
                "chat": _chat(state),
                "hits": [{**hit, "at": iso(hit["ts"])} for hit in state.recent_hits],
                "alerts": self._alerts(alerts),
                "products": _products(state),
            }
        summary["alerts_firing"] = sum(1 for a in alerts if a.state == FIRING)
        return {**summary, **page}

    def _series(self, state: SessionState) -> dict[str, list[list[Any]]]:
        """The session's curves since it started: [epoch ms, value] of its 10-s buckets (GMV in yuan)."""
        until = self._until()
        first = int(state.started) // 10 * 10
        series: dict[str, list[list[Any]]] = {}
        for name, curve in (("online", "online"), ("orders", "orders"), ("chat", "chat"), ("gmv", "gmv_cents")):
            scale = 100 if name == "gmv" else 1  # GMV in yuan (cents in the ring), for the chart only
            series[name] = [
                [second * 1000, value if value is None or scale == 1 else round(value / scale, 2)]
                for second, value in state.curve(curve, until)
                if second >= first
            ]
        return series

    def _alerts(self, alerts: list[Instance]) -> list[dict[str, Any]]:
        specs = self.engine.rules
        return [
            {
                "rule": a.rule,
                "title": specs.rules.get(a.rule, {}).get("title", a.rule),
                "state": a.state,
                "severity": a.severity,
                "summary": a.summary,
                "since": iso(a.since),
                "fingerprint": a.fingerprint,
                "muted": a.inhibited_by is not None,
            }
            for a in alerts
        ]


def _chat(state: SessionState) -> list[dict[str, Any]]:
    """The latest chat lines, the viewer's name shortened, each with the compliance hits found in it."""
    marks: dict[tuple[float, str], list[list[Any]]] = {}
    for hit in state.recent_hits:
        if hit["source"] == "chat":
            marks.setdefault((hit["ts"], hit["line"]), []).append([hit["start"], hit["end"], hit["rule"]])
    return [
        {
            "ts": ts,
            "at": iso(ts),
            "user": initial + "***" if initial else "",
            "text": text,
            "negative": negative,
            "hits": marks.get((ts, text), []),
        }
        for ts, initial, text, negative in state.last_chat()
    ]


def _products(state: SessionState) -> list[dict[str, Any]]:
    return [
        {
            "product_id": p.product_id,
            "title": p.title,
            "first_price": str(p.first_price),
            "price": str(p.price),
            "orders": p.orders,
            "gmv": str(p.gmv),
            "on_shelf": p.on_shelf,
        }
        for p in state.products.values()
    ]
