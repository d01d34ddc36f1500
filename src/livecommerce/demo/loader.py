"""Loading a generated province through the same ingest path a real file takes (演示数据导入)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from livecommerce.core.scope import SystemActor
from livecommerce.demo.files import LOAD_ORDER, Manifest

Progress = Callable[[str, int, int], None]
DEMO_ACTOR = SystemActor(name="demo")


@dataclass
class FeedLoad:
    """How one feed of the demo loaded: the ingest batch's figures and the time it took."""

    feed: str
    files: int
    batch: str = ""
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    replaced: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def load(directory: Path, progress: Progress | None = None) -> list[FeedLoad]:
    """Ingest every feed of a demo directory in dependency order (entities before shops, sessions before orders)."""
    from livecommerce.ingest.service import ingest

    manifest = Manifest.read(directory)
    loads = []
    for feed in LOAD_ORDER:
        paths = manifest.paths(directory, feed)
        if not paths:
            continue
        started = time.perf_counter()
        report = (lambda stage, done, total, feed=feed: progress(f"{feed}: {stage}", done, total)) if progress else None
        result = ingest(feed, paths, DEMO_ACTOR, progress=report)
        loads.append(
            FeedLoad(
                feed,
                len(paths),
                result.batch,
                result.read,
                result.accepted,
                result.rejected,
                result.replaced,
                time.perf_counter() - started,
                list(result.problems),
            )
        )
    return loads
