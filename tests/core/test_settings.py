"""Settings: every one documented, read from the environment and from TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from livecommerce.core.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"| `{name}` | `LIVECOMMERCE_{name.upper()}` |" in text, f"docs/settings.md lacks {name}"


def test_environment_wins_over_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "lc.toml"
    config.write_text("session_idle_minutes = 20\nweb_port = 9000\n", encoding="utf-8")
    monkeypatch.setenv("LIVECOMMERCE_CONFIG", str(config))
    monkeypatch.setenv("LIVECOMMERCE_WEB_PORT", "8123")
    settings = Settings()
    assert (settings.session_idle_minutes, settings.web_port) == (20, 8123)


def test_home_defaults_hold_both_databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVECOMMERCE_DATABASE_URL", raising=False)
    monkeypatch.delenv("LIVECOMMERCE_CONFIG", raising=False)
    monkeypatch.setenv("LIVECOMMERCE_HOME", str(tmp_path))
    settings = Settings()
    assert settings.registry_url == f"sqlite:///{tmp_path}/registry.sqlite3"
    assert settings.warehouse_file == tmp_path / "warehouse.duckdb"


def test_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVECOMMERCE_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="session_idle_minutes"):
        Settings()


def test_an_empty_home_is_initialised_on_first_use(home) -> None:
    assert (home.home / "registry.sqlite3").exists()
    assert home.warehouse_file.exists()
