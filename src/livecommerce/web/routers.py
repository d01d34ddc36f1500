"""Which packages' routers the app serves: one explicit list, extended as each package writes its api and pages."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from fastapi import APIRouter

from livecommerce.accounts import api as accounts_api
from livecommerce.accounts import pages as accounts_pages
from livecommerce.web import home

ROUTER_MODULES: tuple[ModuleType, ...] = (accounts_pages, accounts_api, home)

# Served as soon as the module exists; move a line into ROUTER_MODULES (as an import) once it is written.
PLANNED_MODULES: tuple[str, ...] = (
    "livecommerce.entities.pages",
    "livecommerce.entities.api",
    "livecommerce.ingest.pages",
    "livecommerce.ingest.api",
)


def _planned() -> list[ModuleType]:
    """The planned router modules that exist; an error inside an existing one is raised, not hidden."""
    found = []
    for name in PLANNED_MODULES:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # the package itself is not there yet
            spec = None
        if spec is not None:
            found.append(importlib.import_module(name))
    return found


def routers() -> list[APIRouter]:
    """Every router to include, in order (each module exposes ``router``)."""
    modules = [*ROUTER_MODULES, *(module for module in _planned() if module not in ROUTER_MODULES)]
    return [module.router for module in modules]
