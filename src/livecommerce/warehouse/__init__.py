"""Warehouse (数据仓库): the facts — the feeds' contracts (feeds.py), their fact tables, batches and the quarantine
(schema.py), the base measures and the rows they sum (measures.py, sources.py), the rollups (rollups.py), the one
load path (load.py) — in one DuckDB file with its read snapshot (engine.py, snapshot.py).

Every home gets its warehouse from ``core.db.ensure_home``, through the initialiser registered here: core stays
below the warehouse and does not import it (DESIGN.md: The flow).
"""

from livecommerce.core.db import on_new_home
from livecommerce.core.settings import Settings


def _ensure(settings: Settings) -> None:
    from livecommerce.warehouse.schema import ensure_warehouse  # this package's own module, imported when first used

    ensure_warehouse(settings)


on_new_home("warehouse", _ensure)
