"""`livecommerce entities list | show | add`, run through Typer's CliRunner on a root like the real one."""

from __future__ import annotations

import json

import pytest
import typer
from registry_data import HARBIN_FOOD, NANGANG_COOP, QIQIHAR_MCN, audit_lines
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from livecommerce.entities import cli

NEW_USCC = "91230100MA1B00004L"


@pytest.fixture
def run(seeded: Session):  # type: ignore[no-untyped-def]
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """The root command."""

    cli.register(root)
    runner = CliRunner()
    return lambda *args: runner.invoke(root, ["entities", *args])


def test_list_as_json_with_region_and_kind(run) -> None:  # type: ignore[no-untyped-def]
    result = run("list", "--region", "哈尔滨", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["uscc"] for row in json.loads(result.output)] == [HARBIN_FOOD, NANGANG_COOP]
    result = run("list", "--kind", "MCN机构", "--format", "json")
    assert [row["uscc"] for row in json.loads(result.output)] == [QIQIHAR_MCN]


def test_list_as_a_table(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal, so no header wraps
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "共 3 个" in result.output and "统一社会信用代码" in result.output
    assert HARBIN_FOOD in result.output and "哈尔滨市道里区" in result.output


def test_list_with_an_unknown_region_fails_clearly(run) -> None:  # type: ignore[no-untyped-def]
    result = run("list", "--region", "北京")
    assert result.exit_code == 1
    assert "unknown region" in result.output


def test_show_masks_personal_data(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", HARBIN_FOOD, "--format", "json")
    assert result.exit_code == 0, result.output
    detail = json.loads(result.output)
    assert detail["entity"]["name"] == "冰城食品有限公司"
    assert detail["streamers"]["items"][0]["phone"] == "138****5678"
    assert "13812345678" not in run("show", HARBIN_FOOD).output


def test_show_of_an_unknown_uscc_fails(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", NEW_USCC)
    assert result.exit_code == 1 and "not found" in result.output


def test_add_registers_and_audits(run, seeded: Session) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "add",
        "--uscc",
        NEW_USCC,
        "--name",
        "哈尔滨红肠有限公司",
        "--kind",
        "企业",
        "--region",
        "道外",
        "--above-quota",
        "--founded-on",
        "2019-05-20",
    )
    assert result.exit_code == 0, result.output
    assert "哈尔滨市道外区" in result.output
    [line] = audit_lines(seeded, "entity.create")
    assert (line.actor, line.target_id) == ("cli", NEW_USCC)


def test_add_refuses_a_wrong_check_digit(run) -> None:  # type: ignore[no-untyped-def]
    result = run("add", "--uscc", "91230100MA1B00004M", "--name", "x", "--kind", "企业", "--region", "哈尔滨")
    assert result.exit_code == 1
    assert "统一社会信用代码" in result.output
