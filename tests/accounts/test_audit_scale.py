"""The audit log at 100,000 lines: the page and the API answer quickly, verify reads the chain as a stream."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, update

from livecommerce.accounts import audit, service
from livecommerce.accounts.models import AuditChainHead, AuditEntry
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app
from tests.web.conftest import PASSWORD, add_user, submit_login

LINES = 100_000
ACTORS = ("admin", "hrb", "qqhr", "feed", "aud")
ACTIONS = ("login", "users.update", "entity.import", "download", "denied")
START = datetime(2026, 6, 1, tzinfo=UTC)


def fill(count: int) -> None:
    """``count`` chained lines written straight into the table (a line a minute from 2026-06-01), head moved."""
    with session_scope() as session:
        head = session.get(AuditChainHead, 1)
        assert head is not None
        last_id, last_hash = head.last_id, head.last_hash
        batch = []
        for n in range(count):
            fields = {
                "id": last_id + 1,
                "at": START + timedelta(minutes=n),
                "actor": ACTORS[n % 5],
                "action": ACTIONS[n % 5 if n % 7 else 1],
                "target_type": "user",
                "target_id": str(n % 300),
                "before": None,
                "after": f'{{"n": {n}}}',
                "outcome": "ok",
                "client": "10.0.0.1 test",
            }
            last_id, fields["prev_hash"] = last_id + 1, last_hash
            last_hash = fields["hash"] = audit.line_hash(SimpleNamespace(**fields), last_hash)
            batch.append(fields)
            if len(batch) == 10_000:
                session.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            session.execute(insert(AuditEntry), batch)
        session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_id=last_id, last_hash=last_hash))


@pytest.fixture
def big_log(home: Settings) -> Iterator[TestClient]:
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    add_user("aud", "auditor")
    fill(LINES)
    with TestClient(create_app()) as client:
        assert submit_login(client, "aud", PASSWORD).status_code == 303
        yield client


def timed(client: TestClient, url: str, **params: str) -> float:
    started = time.perf_counter()
    response = client.get(url, params=params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def test_the_page_and_the_api_answer_within_a_second_on_100000_lines(big_log: TestClient) -> None:
    total = big_log.get("/api/audit", params={"limit": 1}).json()["total"]
    assert total > LINES
    cases = [
        ("/api/audit", {}),
        ("/api/audit", {"actor": "hrb"}),
        ("/api/audit", {"action": "download"}),
        ("/api/audit", {"from": "2026-07-01", "to": "2026-07-03"}),
        ("/api/audit", {"target_type": "user", "target_id": "17", "offset": "100"}),
        ("/admin/audit", {}),
        ("/admin/audit", {"page": "1500"}),
        ("/admin/audit", {"actor": "qqhr", "action": "entity.import", "from": "2026-06-10", "to": "2026-07-20"}),
    ]
    slowest = max(timed(big_log, url, **params) for url, params in cases)
    print(f"slowest of {len(cases)} requests on {total:,} lines: {slowest * 1000:.0f} ms")
    assert slowest < 1.0
    shanghai_june_1 = big_log.get("/api/audit", params={"from": "2026-06-01", "to": "2026-06-01"}).json()["total"]
    assert shanghai_june_1 == 16 * 60  # a line a minute from 00:00 UTC; the Shanghai day ends at 16:00 UTC


def test_verify_checks_100000_lines(big_log: TestClient) -> None:
    started = time.perf_counter()
    with session_scope() as session:
        verdict = audit.verify(session)
    elapsed = time.perf_counter() - started
    print(f"verify: {verdict.checked:,} lines in {elapsed:.1f} s")
    assert verdict.intact and verdict.checked > LINES
    assert elapsed < 60  # about 3 s on an idle 2-core machine; generous for a loaded one


def test_verify_reads_the_chain_as_a_stream(home: Settings) -> None:
    """20,000 lines read at once take about 18 MiB of Python memory; verify's peak stays at a batch's worth."""
    fill(20_000)
    tracemalloc.start()
    with session_scope() as session:
        verdict = audit.verify(session)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"verify: {verdict.checked:,} lines, peak {peak / 2**20:.1f} MiB of Python memory")
    assert verdict.intact and verdict.checked == 20_000
    assert peak < 8 * 2**20
