"""Commands of 直播监测预警: `livecommerce monitor replay|alerts|silence|rules`.

`replay FILE.jsonl` plays a recorded evening through the rules, as fast as it can (`--speed max`) or N times as fast as
it happened; rules run on event time, so every speed prints the same transitions at the same seconds. With
`--format jsonl` each transition is one line `{"rule", "state", "at", "session_id", "labels", "summary"}`. Refused
events are counted by reason on stderr (with the line numbers of the first ones) and skipped; the replay goes on.
Exit codes: 0 done, 2 wrong input (a file that cannot be read, a wrong rules file, a wrong option).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from livecommerce.monitor.alerts import iso
from livecommerce.monitor.engine import Engine
from livecommerce.monitor.rules import RuleFile, RulesError

app = typer.Typer(help="直播监测预警: live sessions, rules, alerts.", no_args_is_help=True)
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True)
STATE_NAMES = {"pending": "待定", "firing": "告警", "resolved": "恢复", "nodata": "无数据"}


def _speed(value: str) -> float | None:
    if value == "max":
        return None
    try:
        speed = float(value)
    except ValueError:
        speed = 0.0
    if speed <= 0:
        errors.print(f"[red]--speed {value!r}: a number above 0 (times real time) or max[/red]")
        raise typer.Exit(2)
    return speed


def rule_file(path: Path | None) -> RuleFile:
    """The rules to use (the built-in defaults without a path); a wrong file ends the command with exit 2."""
    try:
        return RuleFile(path)
    except RulesError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def replay(
    path: Annotated[Path, typer.Argument(help="JSON Lines of live events (DESIGN.md events); - reads stdin")],
    speed: Annotated[str, typer.Option("--speed", help="N times as fast as the events happened, or max")] = "max",
    output: Annotated[str, typer.Option("--format", help="jsonl: one transition a line; table: for reading")] = "table",
    rules: Annotated[Path | None, typer.Option("--rules", help="A rules file (default: the built-in rules.yaml)")] = None,
    muted: Annotated[bool, typer.Option("--muted", help="Also print silenced and inhibited transitions")] = False,
) -> None:
    """Replay a recorded evening through the rules and print each alert transition."""
    pace = _speed(speed)
    if output not in ("jsonl", "table"):
        errors.print(f"[red]--format {output!r}: one of jsonl, table[/red]")
        raise typer.Exit(2)
    engine = Engine(rule_file(rules))
    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        errors.print(f"[red]{path}: cannot be read ({exc.strerror})[/red]")
        raise typer.Exit(2) from exc
    started, first = time.monotonic(), None
    printed = 0

    def show(transitions: list) -> None:
        nonlocal printed
        for t in transitions:
            if t.muted and not muted:
                continue
            printed += 1
            if output == "jsonl":
                sys.stdout.write(json.dumps(t.to_json(), ensure_ascii=False) + "\n")
            else:
                note = f"  [dim]({t.muted})[/dim]" if t.muted else ""
                console.print(f"{iso(t.at)}  {STATE_NAMES.get(t.state, t.state)}  {t.rule:<16} {t.session_id:<12} "
                              f"{t.summary}{note}", highlight=False)
        sys.stdout.flush()

    with handle:
        try:
            for line in handle:
                if not line.strip():
                    continue
                event = engine.intake.read(line)
                if event is None:
                    continue
                if pace is not None:
                    first = event.ts if first is None else first
                    wait = (event.ts - first) / pace - (time.monotonic() - started)
                    if wait > 0:
                        time.sleep(wait)
                show(engine.feed(event))
        except UnicodeDecodeError as exc:
            errors.print(f"[red]{path}: line {engine.intake.line + 1} is not UTF-8 ({exc.reason})[/red]")
            raise typer.Exit(2) from exc
    show(engine.close())
    intake = engine.intake
    errors.print(f"{intake.accepted:,} events, {intake.line - intake.accepted:,} refused, "
                 f"{len(engine.sessions) + len(engine.ended):,} sessions, {printed:,} transitions", highlight=False)
    for reason, count in intake.rejected.most_common():
        errors.print(f"  refused {count:,}: {reason}", highlight=False)
    for line_no, reason, text in intake.examples[:10]:
        errors.print(f"  {path}:{line_no}: {reason}: {text}", highlight=False)


@app.command("rules")
def show_rules(rules: Annotated[Path | None, typer.Option("--rules", help="A rules file to check and show")] = None) -> None:
    """Check a rules file and show the thresholds each rule has (exit 2 when the file is wrong)."""
    ruleset = rule_file(rules).rules
    for name in ruleset.rules:
        spec = ruleset.spec(name)
        console.print(f"{name:<16} {spec.title}  {spec.op} {spec.threshold:g}  resolve {spec.resolve:g}  for {spec.for_:g}s"
                      f"  window {spec.window:g}s  severity {spec.severity}", highlight=False)
    for override in ruleset.overrides:
        console.print(f"override platform={override.get('platform', '*')} class={override.get('session_class', '*')}: "
                      f"{override['rules']}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="monitor")
