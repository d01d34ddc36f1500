"""Which packages' routers the app serves: one explicit list, extended as each package writes its api and pages."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from livecommerce.accounts import api as accounts_api
from livecommerce.accounts import audit_api, audit_pages
from livecommerce.accounts import pages as accounts_pages
from livecommerce.compliance import api as compliance_api
from livecommerce.compliance import pages as compliance_pages
from livecommerce.entities import api as entities_api
from livecommerce.entities import pages as entities_pages
from livecommerce.ingest import api as ingest_api
from livecommerce.ingest import pages as ingest_pages
from livecommerce.monitor import alert_pages as monitor_alert_pages
from livecommerce.monitor import api as monitor_api
from livecommerce.monitor import pages as monitor_pages
from livecommerce.policy import api as policy_api
from livecommerce.policy import pages as policy_pages
from livecommerce.policy import run_pages as policy_run_pages
from livecommerce.stats import api as stats_api
from livecommerce.stats import pages as stats_pages
from livecommerce.stats import targets_pages
from livecommerce.web import home

ROUTER_MODULES: tuple[ModuleType, ...] = (
    accounts_pages,
    accounts_api,
    audit_pages,
    audit_api,
    home,
    entities_pages,
    entities_api,
    ingest_pages,
    ingest_api,
    stats_api,
    targets_pages,
    stats_pages,
    compliance_api,
    compliance_pages,
    policy_api,
    policy_pages,
    policy_run_pages,
    monitor_pages,
    monitor_alert_pages,
    monitor_api,
)


def routers() -> list[APIRouter]:
    """Every router to include, in order (each module exposes ``router``)."""
    return [module.router for module in ROUTER_MODULES]
