"""Pause points for crash tests: a test names a point in LIVECOMMERCE_PAUSE_AT, the process writes the file named
in LIVECOMMERCE_PAUSE_FILE when it gets there and sleeps, and the test kills it with SIGKILL at that moment.
Unset (always, outside tests), a pause point costs one dictionary look-up."""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    """Stop here for a crash test if one asked for this point."""
    if os.environ.get("LIVECOMMERCE_PAUSE_AT") != name:
        return
    marker = os.environ.get("LIVECOMMERCE_PAUSE_FILE")
    if marker:
        Path(marker).write_text(name, encoding="utf-8")
    time.sleep(float(os.environ.get("LIVECOMMERCE_PAUSE_SECONDS", "60")))
