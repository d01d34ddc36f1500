"""The feed contracts live in warehouse/feeds.py (issue 15: warehouse owns the facts). This name stays for the
packages that still import it from here (demo/, web/home.py, tests/demo); new code imports livecommerce.warehouse.feeds."""

from livecommerce.warehouse.feeds import FEEDS, SCOPE_COLUMNS, Column, Feed

__all__ = ["FEEDS", "SCOPE_COLUMNS", "Column", "Feed"]
