"""The one typed settings object, read from the environment (LIVECOMMERCE_*) and an optional TOML file.

Every field carries its help line in ``description``; docs/settings.md lists them all and
tests/core/test_settings_documented.py fails when one is missing there.

The sources are read here, as pydantic-settings' BaseSettings read them before (keyword arguments, then the
environment, then the TOML file, then the defaults; variable names in any case; a list as JSON): importing
pydantic-settings cost every command about 0.08 s of start-up, for two sources.
"""

from __future__ import annotations

import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator

ENV_PREFIX = "LIVECOMMERCE_"


class SettingsError(ValueError):
    """A setting given in the environment that cannot be read (a list that is not JSON)."""


def _toml_file() -> Path | None:
    """The TOML file named by LIVECOMMERCE_CONFIG, else livecommerce.toml in the data home, if it exists."""
    named = os.environ.get("LIVECOMMERCE_CONFIG")
    if named:
        return Path(named)
    home = Path(os.environ.get("LIVECOMMERCE_HOME", "./data"))
    candidate = home / "livecommerce.toml"
    return candidate if candidate.exists() else None


class MonitorWebhook(BaseModel):
    """One route of the monitor's notifications: alerts of sessions whose region code starts with ``region`` ("*":
    every region) are POSTed to ``url`` as Alertmanager webhook (version 4) JSON."""

    model_config = {"extra": "forbid"}

    region: str = Field("*", description='A region code prefix ("2301" = 哈尔滨市 and its counties) or "*".')
    url: str = Field(description="The receiver's http(s) URL.")

    @field_validator("region")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip()
        if value != "*" and not (value.isdigit() and 1 <= len(value) <= 6):
            raise ValueError(f'region {value!r}: a region code prefix of 1 to 6 digits (e.g. 2301), or "*"')
        return value

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"url {value!r}: an http:// or https:// address")
        return value


def _toml_values() -> dict[str, Any]:
    """The TOML file's settings, {} when there is no file."""
    path = _toml_file()
    if path is None or not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _is_complex(annotation: Any) -> bool:
    """Whether a field's value is given as JSON in the environment (a list, a mapping or a model)."""
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset, dict):
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _environment_values(model: type[BaseModel]) -> dict[str, Any]:
    """The settings given as LIVECOMMERCE_<NAME> variables (the name in any case); a list or mapping as JSON."""
    environ = {key.lower(): value for key, value in os.environ.items()}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        raw = environ.get((ENV_PREFIX + name).lower())
        if raw is None:
            continue
        if _is_complex(field.annotation):
            try:
                values[name] = json.loads(raw)
            except ValueError as exc:
                raise SettingsError(f'error parsing value for field "{name}" from source "EnvSettingsSource"') from exc
        else:
            values[name] = raw
    return values


class Settings(BaseModel):
    """Settings of one installation. Keyword arguments win over environment variables, which win over the TOML
    file, which wins over defaults."""

    model_config = ConfigDict(extra="forbid", validate_default=True, arbitrary_types_allowed=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**(_toml_values() | _environment_values(type(self)) | values))

    home: Path = Field(Path("./data"), description="The data home: SQLite file, DuckDB file, uploads, quarantine exports, reports.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the registry database; default is the SQLite file registry.sqlite3 in the home. "
        "Use postgresql+psycopg://user:pass@host/db for PostgreSQL.",
    )
    warehouse_path: Path | None = Field(None, description="DuckDB file of the warehouse; default warehouse.duckdb in the home.")
    timezone: str = Field("Asia/Shanghai", description="Time zone of naive timestamps and of every period (DESIGN.md: Time).")
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60, description="A web session ends after this many idle minutes.")
    login_max_failures: int = Field(
        5,
        ge=1,
        le=100,
        description="Failed logins of one account from one client address that lock the account for that address (docs/security.md).",
    )
    login_lockout_minutes: int = Field(
        15,
        ge=1,
        le=24 * 60,
        description="How long a lock (account from an address, or a throttled address) lasts, and the window failures are counted in.",
    )
    session_max_hours: int = Field(
        12, ge=1, le=24 * 30, description="A web session ends this many hours after login, however busy (absolute lifetime)."
    )
    login_address_max_failures: int = Field(
        20,
        ge=1,
        le=10_000,
        description="Failed logins from one client address within login_lockout_minutes after which that address is refused "
        "(for every account) until the window passes; the per-account lock cannot then be held forever from one address.",
    )
    token_default_days: int = Field(90, ge=1, le=365, description="Days an API token lives when --expires-days is not given (at most 365).")
    max_upload_mb: int = Field(
        512, ge=1, le=100_000, description="Largest request body (upload) accepted, in MiB; a bigger one is refused with 413."
    )
    max_xlsx_rows: int = Field(
        5_000_000, ge=1, le=100_000_000, description="Most data rows read from one XLSX sheet; a sheet with more is refused."
    )
    upload_retention_days: int = Field(
        30, ge=1, le=3650, description="Days an uploaded file whose batch loaded nothing is kept in uploads/ before it is purged."
    )
    cookie_secure: bool = Field(
        True, description="Send the session cookie with the Secure flag; set false only for plain-http on 127.0.0.1 (make demo does)."
    )
    web_host: str = Field("127.0.0.1", description="Address the web console listens on.")
    web_port: int = Field(8000, ge=1, le=65535, description="Port the web console listens on.")
    assets_dir: Path | None = Field(
        None,
        description="Directory of front-end assets installed from npm (ECharts, HTMX, maps, Swagger UI); "
        "default is web/static/vendor inside the package, filled by `make assets`.",
    )
    duckdb_memory_limit: str = Field("1500MB", description="DuckDB memory_limit for ingest and queries; keeps big imports within budget.")
    duckdb_threads: int = Field(2, ge=1, le=256, description="DuckDB worker threads.")
    policy_ec20_years: str = Field(
        "",
        description="Performance years in which HLJ-2026-EC20 (004, a draft without an issue date, valid to 2027-12-31) "
        "applies, comma-separated, e.g. 2026,2027; empty means the years of policy/parameters/ec20.yaml "
        "(validity.years: 2026, 2027). See docs/policies.md.",
    )
    compliance_packs_dir: str | None = Field(
        None,
        description="A directory of the department's own rule packs (YAML, the format of docs/compliance.md), loaded "
        "beside the built-in ones.",
    )
    policy_review_tolerance: str = Field(
        "0.05",
        description="A declared sales figure that differs from the warehouse by more than this share of the warehouse "
        "figure flags the entity's awards for review (虚报冒领 check, docs/policies.md).",
    )

    monitor_rules_file: Path | None = Field(
        None,
        description="The monitor's rules file (YAML, the format of monitor/rules.yaml and docs/monitor.md); default "
        "the built-in rules. Read again when it changes, without a restart.",
    )
    monitor_webhooks: list[MonitorWebhook] = Field(
        default_factory=list,
        description='Where alert notifications go: a list of {region, url}; region is a code prefix or "*" (JSON in the '
        'environment: [{"region": "2301", "url": "http://..."}]).',
    )
    monitor_demo_feed: bool = Field(
        False, description="Play a synthetic evening of 40 live rooms into the live monitor, looping (make demo does)."
    )

    @field_validator("home", "warehouse_path", "assets_dir", "monitor_rules_file", mode="after")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return value.expanduser().resolve() if value is not None else None

    @property
    def registry_url(self) -> str:
        """The registry database URL, defaulting to the SQLite file in the home."""
        return self.database_url or f"sqlite:///{self.home / 'registry.sqlite3'}"

    @property
    def warehouse_file(self) -> Path:
        """The DuckDB warehouse file."""
        return self.warehouse_path or self.home / "warehouse.duckdb"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()


def reset_settings(**overrides: Any) -> Settings:
    """Forget cached settings (tests and the CLI's --home use it) and read them again."""
    get_settings.cache_clear()
    for key, value in overrides.items():
        os.environ[f"LIVECOMMERCE_{key.upper()}"] = str(value)
    return get_settings()
