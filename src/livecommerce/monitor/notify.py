"""Notifications of the live monitor (预警通知): grouped alerts POSTed to the webhooks of the regions they concern.

Each route (settings.monitor_webhooks) names a region code prefix and a URL; a city bureau's receiver gets only the
alerts of its own city's sessions ("*" gets them all). The body is Alertmanager's webhook payload, version 4
(alerts.Notification.payload), so any receiver written for Alertmanager reads it. Sending happens in a background
thread with a timeout and retries: a slow or broken receiver is logged and never holds up the engine.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from livecommerce.monitor.alerts import Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """Alerts of sessions whose region starts with ``region`` ("*": all) go to ``url``."""

    region: str
    url: str

    def matches(self, region: str) -> bool:
        return self.region == "*" or region.startswith(self.region)


def routes_of(settings: Any) -> list[Route]:
    """The routes configured in settings.monitor_webhooks."""
    return [Route(hook.region, hook.url) for hook in getattr(settings, "monitor_webhooks", None) or []]


def split(notification: Notification, routes: Iterable[Route]) -> list[tuple[str, dict[str, Any]]]:
    """(url, payload) for every route that has alerts in this notification: each receiver gets only the alerts of
    its regions, with the common labels of those alerts."""
    out = []
    for route in routes:
        alerts = [t for t in notification.alerts if route.matches(t.labels.get("region", ""))]
        if alerts:
            out.append((route.url, Notification(notification.group, notification.at, alerts).payload()))
    return out


class Notifier:
    """Delivers payloads in a background thread: ``retries`` more attempts after a failure (an error status, a refused
    connection, a timeout), waiting ``backoff`` seconds, doubled each time. A full queue drops the newest with a
    warning rather than blocking the caller."""

    def __init__(
        self, routes: Iterable[Route] = (), *, retries: int = 3, timeout: float = 5.0, backoff: float = 1.0, maxsize: int = 10_000
    ) -> None:
        self.routes = list(routes)
        self.retries, self.timeout, self.backoff = retries, timeout, backoff
        self.queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue(maxsize)
        self.sent = self.failed = self.dropped = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def dispatch(self, notification: Notification) -> int:
        """Queue the notification for every matching route; how many deliveries were queued."""
        queued = 0
        for url, payload in split(notification, self.routes):
            try:
                self.queue.put_nowait((url, payload))
                queued += 1
            except queue.Full:
                self.dropped += 1
                log.warning("monitor webhook queue full: notification to %s dropped", url)
        if queued:
            self.start()
        return queued

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="monitor-notify", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish what is queued (within ``timeout``) and end the thread."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self.queue.put(None)
            thread.join(timeout)
        self._thread = None

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery is done (tests); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                if self.deliver(*item):
                    self.sent += 1
                else:
                    self.failed += 1
            except Exception:  # a bug here must not end the thread: log it and go on
                log.exception("monitor webhook delivery failed")
                self.failed += 1
            finally:
                self.queue.task_done()

    def deliver(self, url: str, payload: dict[str, Any]) -> bool:
        """POST the payload as JSON; True when the receiver answered 2xx within the attempts."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "livecommerce-monitor"},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                    if 200 <= response.status < 300:
                        return True
                    problem = f"status {response.status}"
            except urllib.error.HTTPError as exc:
                problem = f"status {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                problem = str(getattr(exc, "reason", exc))
            log.warning("monitor webhook %s: attempt %d of %d failed (%s)", url, attempt + 1, self.retries + 1, problem)
            if attempt < self.retries:
                time.sleep(self.backoff * (2**attempt))
        return False
