"""`livecommerce monitor replay` as the issue states its contract: one JSON line per transition with exactly rule,
state, at, session_id, labels, summary; the same lines at any --speed; refused lines counted on stderr while the
replay goes on; exit 2 for wrong input. And `monitor rules`, which checks a rules file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from livecommerce.cli import app
from livecommerce.core.settings import Settings

T = 1_762_862_400  # 2025-11-11 20:00:00 Shanghai

runner = CliRunner()


def cli(*args: str) -> Any:
    return runner.invoke(app, ["monitor", *args], catch_exceptions=False)


def ev(second: int, kind: str, session: str = "S1", **data: object) -> str:
    return json.dumps({"platform": "douyin", "session_id": session, "ts": (T + second) * 1000, "kind": kind, **data}, ensure_ascii=False)


@pytest.fixture
def evening(tmp_path: Path, home: Settings) -> Path:
    lines = [
        ev(0, "status", state="start", region="230184", shop_id="SHOP1", streamer_id="ST1"),
        ev(0, "viewers", online=1000),
        ev(5, "transcript", text="这款人参包治百病"),
        ev(10, "viewers", online=400),
    ]
    lines += [ev(s, "like", "S2", count=1) for s in range(0, 131, 10)]
    lines.insert(3, "{broken")
    lines.insert(5, json.dumps({"platform": "douyin", "session_id": "S1", "ts": (T + 11) * 1000, "kind": "viewers"}))
    path = tmp_path / "evening.jsonl"
    path.write_text("\n".join(sorted(lines, key=lambda ln: json.loads(ln)["ts"] if ln.startswith('{"') else 0)) + "\n", encoding="utf-8")
    return path


def test_jsonl_lines_have_exactly_the_contract_fields(evening: Path) -> None:
    result = cli("replay", str(evening), "--speed", "max", "--format", "jsonl")
    assert result.exit_code == 1  # two of its lines are refused (below)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(line) == {"rule", "state", "at", "session_id", "labels", "summary"} for line in lines)
    got = [(line["rule"], line["state"], line["at"]) for line in lines]
    assert ("compliance-hit", "firing", "2025-11-11T20:00:05+08:00") in got
    assert ("viewers-drop", "firing", "2025-11-11T20:00:10+08:00") in got
    assert ("stream-stalled", "firing", "2025-11-11T20:01:10+08:00") in got  # S1's last event at 10
    drop = next(line for line in lines if line["rule"] == "viewers-drop")
    assert drop["session_id"] == "S1" and drop["labels"] == {
        "platform": "douyin",
        "session_id": "S1",
        "shop": "SHOP1",
        "streamer": "ST1",
        "region": "230184",
    }
    assert "1,000 降至 400" in drop["summary"]


def test_the_same_lines_at_any_speed(evening: Path) -> None:
    fast = cli("replay", str(evening), "--speed", "max", "--format", "jsonl").stdout
    started = time.monotonic()
    paced = cli("replay", str(evening), "--speed", "400", "--format", "jsonl").stdout  # 130 s of events in ~0.3 s
    assert time.monotonic() - started >= 0.3
    assert paced == fast and fast.count("\n") >= 3


def test_refused_lines_are_counted_with_their_line_and_the_replay_goes_on(evening: Path) -> None:
    result = cli("replay", str(evening), "--format", "jsonl")
    assert result.exit_code == 1  # some lines refused, the rest replayed
    assert "18 events, 2 refused, 2 sessions" in result.stderr
    assert "refused 1: not JSON" in result.stderr and "refused 1: missing viewers.online" in result.stderr
    assert f"{evening}:1: not JSON" in result.stderr  # sorted first: the broken line


def test_exit_0_when_every_line_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "clean.jsonl"
    path.write_text("\n".join(ev(s, "like", count=1) for s in (0, 5, 10)) + "\n", encoding="utf-8")
    result = cli("replay", str(path), "--format", "jsonl")
    assert result.exit_code == 0 and "3 events, 0 refused, 1 sessions, 0 transitions" in result.stderr


@pytest.mark.parametrize("text", ["", "\n\n", '{"data": {"total": 213}, "status_code": 0}\n{broken\n'])
def test_exit_2_when_nothing_is_accepted(tmp_path: Path, text: str) -> None:
    # an empty file, or a pretty-printed API answer instead of events: every line refused is wrong input, not "done"
    path = tmp_path / "answer.json"
    path.write_text(text, encoding="utf-8")
    result = cli("replay", str(path))
    refused = 2 if text.startswith("{") else 0
    assert result.exit_code == 2 and f"0 events, {refused} refused" in result.stderr
    assert "no event accepted" in result.stderr


def test_the_help_names_the_exit_codes() -> None:
    shown = runner.invoke(app, ["monitor", "replay", "--help"], terminal_width=200).stdout
    assert "Exit 0 when every line was accepted, 1 when some were refused, 2 when none was accepted" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "--speed '0'"),
        (["--speed", "fast"], "--speed 'fast'"),
        (["--format", "csv"], "--format 'csv'"),
    ],
)
def test_wrong_options_exit_2(evening: Path, args: list[str], message: str) -> None:
    result = cli("replay", str(evening), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_an_unreadable_file_or_a_wrong_rules_file_exits_2(tmp_path: Path, evening: Path) -> None:
    missing = cli("replay", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 2 and "cannot be read" in missing.stderr
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  viewers-drop: {threshold: -1}\n", encoding="utf-8")
    wrong = cli("replay", str(evening), "--rules", str(rules))
    assert wrong.exit_code == 2 and "viewers-drop.threshold: -1 is not a number ≥ 0" in wrong.stderr
    assert cli("rules", "--rules", str(rules)).exit_code == 2


def test_a_rules_file_changes_what_the_replay_raises(tmp_path: Path, evening: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  viewers-drop: {threshold: 0.7}\n  stream-stalled: {threshold: 30}\n", encoding="utf-8")
    lines = [json.loads(line) for line in cli("replay", str(evening), "--rules", str(rules), "--format", "jsonl").stdout.splitlines()]
    got = {(line["rule"], line["state"], line["at"]) for line in lines}
    assert not any(rule == "viewers-drop" for rule, *_ in got)  # a 60% fall is below 70%
    assert ("stream-stalled", "firing", "2025-11-11T20:00:40+08:00") in got
    shown = cli("rules", "--rules", str(rules))
    assert shown.exit_code == 0 and "viewers-drop" in shown.stdout and ">= 0.7" in shown.stdout
