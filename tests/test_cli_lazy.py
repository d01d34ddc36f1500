"""The root command imports a package's cli module only when one of its commands runs (issue 15 point 7), and its
static table (livecommerce.cli.COMMANDS) says what the modules really register."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

import livecommerce
from livecommerce.cli import COMMANDS, app, main

HEAVY = ["fastapi", "pandas", "ibis", "openpyxl"]
# The order in which the root mounted every package before issue 15 (cli.py's former _mount); `--help` lists
# plain commands in this order, then sub-apps in this order.
EAGER_ORDER = [
    "livecommerce.reference.cli",
    "livecommerce.accounts.cli",
    "livecommerce.accounts.audit_cli",
    "livecommerce.entities.cli",
    "livecommerce.ingest.cli",
    "livecommerce.demo.cli",
    "livecommerce.stats.cli",
    "livecommerce.compliance.cli",
    "livecommerce.policy.cli",
    "livecommerce.monitor.cli",
    "livecommerce.web.cli",
    "livecommerce.backup.cli",
]


def _loaded_after(code: str, tmp_path: Path) -> dict[str, bool]:
    probe = f"import json, sys\n{code}\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY + ['sqlalchemy', 'duckdb']!r}}}))"
    env = dict(os.environ, LIVECOMMERCE_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    loaded: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_root_command_imports_no_web_or_dataframe_stack(tmp_path: Path) -> None:
    loaded = _loaded_after("import livecommerce.cli", tmp_path)
    assert {m for m in HEAVY if loaded[m]} == set()


def test_regions_find_imports_neither_the_web_stack_nor_the_databases(tmp_path: Path) -> None:
    code = (
        "from livecommerce.cli import app\n"
        "try:\n    app(['regions', 'find', '五常'])\nexcept SystemExit as exit_:\n    assert exit_.code == 0\n"
    )
    loaded = _loaded_after(code, tmp_path)
    assert {m for m, yes in loaded.items() if yes} == set()


def _eager_app() -> typer.Typer:
    """The root as it was before issue 15: every module registered at import."""
    eager = typer.Typer(name="livecommerce", help=app.info.help, no_args_is_help=True)
    eager.callback()(main)
    for module in EAGER_ORDER:
        importlib.import_module(module).register(eager)
    return eager


def test_the_table_names_what_each_module_registers_with_its_help() -> None:
    for module in sorted({m for m, _ in COMMANDS.values()}):
        package_app = typer.Typer()
        importlib.import_module(module).register(package_app)
        registered = typer.main.get_group(package_app).commands
        listed = {name: help_line for name, (owner, help_line) in COMMANDS.items() if owner == module}
        assert {name: inspect.cleandoc(c.short_help or c.help or "").split("\n\n")[0] for name, c in registered.items()} == listed, module


def test_every_cli_module_of_the_package_is_in_the_table() -> None:
    root = Path(livecommerce.__file__).parent
    modules = {
        ".".join(("livecommerce", *path.relative_to(root).with_suffix("").parts))
        for path in [*root.rglob("cli.py"), *root.rglob("*_cli.py")]
        if "def register(" in path.read_text(encoding="utf-8") and path != root / "cli.py"
    }
    assert modules == {m for m, _ in COMMANDS.values()} == set(EAGER_ORDER)


def test_root_help_lists_the_same_commands_and_help_as_the_eager_root() -> None:
    runner = CliRunner()
    lazy = runner.invoke(app, ["--help"], terminal_width=100)
    eager = runner.invoke(_eager_app(), ["--help"], terminal_width=100)
    assert lazy.exit_code == eager.exit_code == 0
    assert lazy.output == eager.output
    assert "regions     行政区划" in lazy.output and "monitor     直播监测预警" in lazy.output


def test_a_mistyped_command_is_refused_with_the_nearest_name() -> None:
    result = CliRunner().invoke(app, ["regoins", "find", "五常"], terminal_width=100)
    assert result.exit_code == 2
    assert "No such command 'regoins'. Did you mean 'regions'?" in result.output


def test_a_command_of_a_module_with_several_is_found() -> None:
    result = CliRunner().invoke(app, ["quarantine", "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "Rejected rows (隔离区)." in result.output
