"""The Makefile: every name on .PHONY has a rule (`make serve` must not answer "No rule to make target"), and the
markers `make test-fast` leaves out are ones pyproject.toml declares (pytest -m ignores an unknown name silently)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A rule line: targets, one colon (not `:=` or `::=`), prerequisites. Recipe lines start with a tab.
RULE = re.compile(r"^(?P<targets>[^\s:=#][^:=#]*?)\s*:(?![:=])")


def phony_and_rules(makefile: str) -> tuple[set[str], set[str]]:
    """The names declared .PHONY and the targets that have a rule in this Makefile text."""
    phony: set[str] = set()
    rules: set[str] = set()
    for line in makefile.replace("\\\n", " ").splitlines():
        match = RULE.match(line)
        if not match:
            continue
        targets = match["targets"].split()
        if targets == [".PHONY"]:
            phony.update(line.split(":", 1)[1].split())
        else:
            rules.update(targets)
    return phony, rules


def test_the_parser_sees_a_missing_rule() -> None:
    text = ".PHONY: setup serve\nVENV := .venv\nsetup: $(VENV)/.installed  ## deps\n\techo ok\n$(VENV)/.installed: x\n"
    phony, rules = phony_and_rules(text)
    assert phony == {"setup", "serve"}
    assert rules == {"setup", "$(VENV)/.installed"}
    assert phony - rules == {"serve"}


def test_every_phony_target_has_a_rule() -> None:
    phony, rules = phony_and_rules((ROOT / "Makefile").read_text(encoding="utf-8"))
    assert {"setup", "demo", "serve", "test", "test-fast", "bench", "lint", "clean"} <= phony
    assert phony - rules == set()


def test_test_fast_leaves_out_declared_markers() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test-fast:.*\n\t(?P<command>.+)$", makefile, re.MULTILINE)
    assert recipe, "no test-fast rule with a recipe"
    expression = re.search(r'-m "(?P<expression>[^"]+)"', recipe["command"])
    assert expression, f"test-fast selects no markers: {recipe['command']}"
    left_out = set(re.findall(r"not (\w+)", expression["expression"]))
    assert left_out == {"slow", "e2e"}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {marker.split(":")[0].strip() for marker in pyproject["tool"]["pytest"]["ini_options"]["markers"]}
    assert left_out <= declared
