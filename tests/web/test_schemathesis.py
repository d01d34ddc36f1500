"""No input gives a server error (issue 13, point 7), tried as a hostile tester would, with every role.

Each role gets a home seeded once with 哈尔滨's and 齐齐哈尔's rows (the seeding of test_scope_every_endpoint) and the
bearer token of a user of that role. Then:

- schemathesis runs its phases over every operation of the OpenAPI — the schema's examples, coverage of the bounds
  (ids beyond 64 bits, negative limits, missing and mistyped parameters) and a bounded number of fuzzed requests;
- a hand-written probe calls every route of the app, pages included (they are not in the OpenAPI), with hostile path
  values (2^64, -1, 0, '..', NUL, non-UTF-8, 10,000 characters) on every route that has a path parameter, and hostile
  query values on every GET route. Every path value is tried with every role; the query values are shared out
  between the roles (each value on every route with one role), which keeps the run within its time.

No answer may be a 5xx, and no exception may escape the app.

The OpenAPI is read from the app's routers at collection (schemathesis's lazy fixture loader does not run on
pytest 9); ``test_the_probed_schema_is_the_apps`` checks it is the very document the app serves at /openapi.json.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans

from livecommerce import __version__
from livecommerce.accounts import service as accounts
from livecommerce.accounts import sessions
from livecommerce.accounts.deps import require_csrf
from livecommerce.core import db
from livecommerce.core.db import session_scope
from livecommerce.core.scope import SystemActor
from livecommerce.core.settings import get_settings
from livecommerce.web.routers import routers
from tests.conftest import _use_home
from tests.web import test_scope_every_endpoint as seeded

EXAMPLES = 5  # fuzzed requests per operation and role (the coverage phase adds its boundary cases)
TITLE = "龙江直播电商监测服务平台"
ROLES = {
    "province_admin": {},
    "province_analyst": {},
    "city_officer": {"scope_region": "230100"},
    "enterprise": {"scope_entity": seeded.HARBIN_USCC},
    "auditor": {},
    "inspector": {},
}
CALLER_FREE = ("/api/auth/login",)  # answers alike whoever calls (and costs a password hash): fuzzed with one role

LONG = "x" * 10_000
PATH_VALUES = (str(2**64), str(2**63), "-1", "0", "%2E%2E", "..%2F..%2Fetc", "%00", "%FF%FE", LONG, "1e309")
QUERY_VALUES = (str(2**64), "-1", "..%00%FF%FE", LONG, "2025-13-45%27%20OR%201%3D1--", "0")
# the names the pages read from the query string themselves, besides those the routes declare
QUERY_NAMES = (
    "above_quota",
    "acknowledged",
    "attribution",
    "budget",
    "by",
    "city",
    "clause",
    "compare",
    "dir",
    "filter",
    "from",
    "go",
    "granted",
    "indicator",
    "kind",
    "limit",
    "local_producer",
    "mode",
    "month",
    "name",
    "next",
    "of",
    "offset",
    "page",
    "page_size",
    "period",
    "platform",
    "q",
    "quarter",
    "region",
    "review",
    "rule",
    "saved",
    "session_id",
    "set",
    "share",
    "sort",
    "state",
    "status",
    "to",
    "top",
    "year",
)


@dataclass(frozen=True)
class Served:
    """The app on a seeded home of its own, one role, and the bearer header of a user of that role."""

    app: Any
    role: str
    headers: dict[str, str]


def api_document() -> dict[str, Any]:
    """The OpenAPI document of the app's routers, built without a data home."""
    app = FastAPI(title=TITLE, version=__version__, dependencies=[Depends(require_csrf)])
    for router in routers():
        app.include_router(router)
    return app.openapi()


schema = schemathesis.openapi.from_dict(api_document())


def strong_password() -> str:
    """A password any password policy accepts (length, character classes, not in a list)."""
    return "Lj-" + secrets.token_urlsafe(18) + "-9a"


def _seed_role(tmp: Path, role: str) -> dict[str, str]:
    """Two cities' rows, a policy run, a recorded live session with an alert; the bearer header of a user of the role
    (in 哈尔滨's scope where the role has one)."""
    seeded._seed(tmp)
    seeded._policy_run()
    seeded._monitor_seed()
    accounts.create_first_admin("admin", strong_password())
    system = SystemActor(name="schemathesis")
    with session_scope() as session:
        user = accounts.create_user(session, system, f"probe_{role}", role, strong_password(), **ROLES[role])  # type: ignore[arg-type]
        issued = sessions.issue_token(session, system, user.id, "schemathesis")
    token = getattr(issued, "token", issued)  # IssuedToken since tokens expire (issue 13), a str before
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module", params=sorted(ROLES))
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, template_home: Path) -> Iterator[Served]:
    """The app on a seeded home of its own, for every test of one role."""
    from livecommerce.monitor import pages as monitor_pages
    from livecommerce.web.app import create_app

    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    shutil.copytree(template_home, tmp / "home")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_home(tmp / "home", None, monkeypatch)
        monkeypatch.setattr(monitor_pages, "STREAM_SECONDS", 0)  # a live stream sends one snapshot and ends
        headers = _seed_role(tmp, request.param)
        try:
            yield Served(create_app(), request.param, headers)
        finally:
            shutdown_lifespans()  # the live monitor's hub that schemathesis's calls started
            db.dispose_engines()
    get_settings.cache_clear()


def test_the_probed_schema_is_the_apps(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == schema.raw_schema


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_to_any_input(case: Any, served: Served) -> None:
    if case.operation.path in CALLER_FREE and served.role != min(ROLES):
        return
    case.call_and_validate(app=served.app, headers=served.headers, checks=[not_a_server_error])


def _probe(client: TestClient, method: str, url: str, failures: list[str]) -> None:
    """One request; a 5xx or an exception escaping the app is a failure, named with its request."""
    shown = url if len(url) < 160 else url[:150] + f"…({len(url)} characters)"
    try:
        response = client.request(method, url, follow_redirects=False)
    except Exception as exc:  # noqa: BLE001 - the app let an exception out: the 500 we look for
        failures.append(f"{method} {shown}: {type(exc).__name__}: {str(exc)[:300]}")
        return
    if response.status_code >= 500:
        failures.append(f"{method} {shown}: {response.status_code} {response.text[:300]}")


def _hostile_queries(route: Any, values: tuple[str, ...]) -> Iterator[str]:
    """Query strings with a hostile value in every name the route declares or a page reads (a URL under 64 KiB)."""
    names = sorted({param.alias for param in route.dependant.query_params} | set(QUERY_NAMES))
    for value in values:
        per_request = max(1, 50_000 // (len(value) + 20))
        for start in range(0, len(names), per_request):
            yield "&".join(f"{name}={value}" for name in names[start : start + per_request])


@pytest.mark.slow
def test_no_route_answers_5xx_to_hostile_paths_and_queries(served: Served) -> None:
    client = TestClient(served.app, headers=served.headers)
    turn = sorted(ROLES).index(served.role)
    query_values = QUERY_VALUES[turn :: len(ROLES)]
    failures: list[str] = []
    routes = [(path, route) for path, route in seeded._routes(served.app.routes) if path not in ("/logout", "/login")]
    assert len(routes) > 40
    for path, route in routes:
        methods = sorted(route.methods & {"GET", "POST"}) if route.param_convertors else sorted(route.methods & {"GET"})
        for method in methods if route.param_convertors else ():
            for value in PATH_VALUES:
                _probe(client, method, re.sub(r"\{[^}]+\}", value, path), failures)
        if "GET" in methods:
            for query in _hostile_queries(route, query_values):
                _probe(client, "GET", re.sub(r"\{[^}]+\}", "1", path) + "?" + query, failures)
    assert not failures, f"{len(failures)} request(s) as {served.role} answered 5xx:\n" + "\n".join(failures)
