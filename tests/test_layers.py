"""Every import points down the order of DESIGN.md "The flow" (issue 15): a package imports only itself and the
packages above it in that list — at module level and inside functions alike (a function-level import may not hide
an upward arrow). The order is written here once; a new package joins it where DESIGN.md puts it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "livecommerce"

# DESIGN.md, The flow: each package may import the ones before it. Packages not yet built are left out.
ORDER = [
    "core",
    "reference",
    "accounts",
    "entities",
    "warehouse",
    "ingest",
    "stats",
    "compliance",
    "monitor",
    "policy",
    "backup",
    "demo",
    "web",
]
TOP = {"cli", "__main__", "__init__", "models"}  # the faces and the package's own root: they assemble everything


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "livecommerce" else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
    return found


def upward_imports() -> list[str]:
    """Every import of a package later in ORDER than the importing one: 'file:line imports module'."""
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        owner = path.relative_to(SRC).parts[0].removesuffix(".py")
        if owner in TOP or owner not in ORDER:
            continue
        for line, module in _imports(path):
            target = _package(module)
            if target in ORDER and ORDER.index(target) > ORDER.index(owner):
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    return wrong


def test_every_package_is_in_the_order() -> None:
    packages = {path.name for path in SRC.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    assert packages - set(ORDER) == set()


def test_every_import_points_down_the_order() -> None:
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from livecommerce.web.app import create_app\n", encoding="utf-8")
    assert _imports(sample) == [(2, "livecommerce.web.app")]
    assert _package("livecommerce.web.app") == "web"
