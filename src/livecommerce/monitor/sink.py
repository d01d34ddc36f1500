"""Where a Redis Streams consumer's results go besides the stream ``lc:alerts`` (`monitor consume --record`): what the
console's hub does with its own engine's results, for the scale-out path. At each checkpoint, before it is written:

- the sessions, minute rows, compliance hits and alert transitions are recorded in the registry database
  (recording.record: idempotent, so a checkpoint written again after a SIGKILL records nothing twice), so the alert
  centre, acknowledgements and the 复盘 pages work as with the in-process monitor;
- the grouped notifications are sent to the webhooks of ``settings.monitor_webhooks``, routed by region (notify);
- and, every lease round, the silences kept in the registry are applied to the consumer's engines.

If the registry cannot be written, the consumer does not checkpoint and tries again later: nothing is acknowledged
that was not recorded. The webhooks are at least once: a replacement that processes the events after the last
checkpoint again sends their notifications again (a receiver can tell them by their groupKey and times).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings, get_settings
from livecommerce.monitor.alerts import Silence, Transition
from livecommerce.monitor.notify import Notifier, routes_of

if TYPE_CHECKING:
    from livecommerce.monitor.engine import Engine
    from livecommerce.monitor.state import SessionState

log = logging.getLogger(__name__)


class RegistrySink:
    """Records a consumer's results in the registry database and sends its notifications (module docstring)."""

    def __init__(self, settings: Settings | None = None, notifier: Notifier | None = None) -> None:
        self.settings = settings or get_settings()
        self.notifier = notifier if notifier is not None else Notifier(routes_of(self.settings))
        self.recorded = {"transitions": 0, "minutes": 0, "hits": 0, "sessions": 0}

    def write(self, engine: Engine, transitions: list[Transition]) -> None:
        """Record what ``engine`` produced since the last checkpoint (its outboxes and ``transitions``, in one
        transaction) and send its notifications. Raises when the registry cannot be written; the caller then keeps
        everything for a later try."""
        from livecommerce.monitor import recording

        sessions = _touched(engine, transitions)
        with session_scope(self.settings) as db:
            recording.record(db, transitions=transitions, minutes=engine.minutes, hits=engine.hits, sessions=sessions)
        for name, items in (("transitions", transitions), ("minutes", engine.minutes), ("hits", engine.hits), ("sessions", sessions)):
            self.recorded[name] += len(items)
        for notification in engine.notifications:
            self.notifier.dispatch(notification)

    def silences(self) -> list[Silence] | None:
        return stored_silences(self.settings)

    def close(self) -> None:
        self.notifier.stop()


def stored_silences(settings: Settings) -> list[Silence] | None:
    """The active silences of the registry; None when it cannot be read (the engines keep the ones they have)."""
    from livecommerce.monitor import service

    try:
        with session_scope(settings) as db:
            return list(service.active_silences(db))
    except Exception:  # the store is unreachable for a moment
        log.exception("monitor: active silences could not be read")
        return None


def _touched(engine: Engine, transitions: list[Transition]) -> list[SessionState]:
    """The sessions whose stored figures are due: those with a completed minute (every session with events, once a
    minute), those with a transition, and those let go."""
    keys = {key for key, _ in engine.minutes} | {(t.labels.get("platform", ""), t.session_id) for t in transitions}
    chosen = {key: engine.sessions[key] for key in keys if key in engine.sessions}
    chosen.update((state.key, state) for state in engine.ended)
    return list(chosen.values())
