"""8 parallel clients against a served console (uvicorn) get at most login_max_failures passwords checked, on
SQLite and on a real PostgreSQL server: each attempt is claimed by one atomic upsert before its password is checked."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from livecommerce.accounts import passwords, service
from livecommerce.accounts.models import AuditEntry, User
from livecommerce.core.db import session_scope
from livecommerce.core.settings import Settings
from livecommerce.web.app import create_app

from .conftest import PASSWORD

CLIENTS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(registry_home: Settings) -> Iterator[str]:
    """The console of ``registry_home`` served by uvicorn in a thread (its thread pool runs logins in parallel)."""
    service.create_first_admin("admin", PASSWORD, must_change_password=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(registry_home), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_parallel_wrong_passwords_get_at_most_the_limit_checked(
    served: str, registry_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope() as session:
        real_hash = session.scalars(select(User.password_hash).where(User.username == "admin")).one()
    checked: list[str] = []
    verify = passwords.verify_password

    def counting(password_hash: str, password: str) -> bool:
        if password_hash == real_hash:
            checked.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    start = threading.Barrier(CLIENTS)
    answers: list[tuple[int, str]] = []

    def attempt(number: int) -> None:
        with httpx.Client(base_url=served, timeout=60) as client:
            start.wait()
            answer = client.post("/api/auth/login", json={"username": "admin", "password": f"wrong-password-{number}"})
            answers.append((answer.status_code, answer.json()["detail"]))

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    limit = registry_home.login_max_failures
    assert len(checked) == limit == 5
    assert len(answers) == CLIENTS and len(set(answers)) == 1 and answers[0][0] == 401  # every refusal alike
    with session_scope() as session:
        reasons = [json.loads(after)["reason"] for after in session.scalars(select(AuditEntry.after).where(AuditEntry.action == "login"))]
    assert sorted(reasons) == ["locked"] * (CLIENTS - limit) + ["wrong password"] * limit
    with httpx.Client(base_url=served) as client:  # the right password from the locked address: refused unchecked
        assert client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).status_code == 401
    assert len(checked) == limit


def test_parallel_mixed_logins_never_fail_with_a_server_error(served: str, registry_home: Settings) -> None:
    """Right, wrong and unknown logins at once from one address (claims, give-backs, locks and purges interleaved):
    every answer is 200 or 401, never a 5xx (no deadlock between the counters' rows)."""
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []

    def attempt(number: int) -> None:
        username, password = [("admin", PASSWORD), ("admin", "wrong-password-x"), (f"nobody{number}", PASSWORD)][number % 3]
        with httpx.Client(base_url=served, timeout=60) as client:
            start.wait()
            for _ in range(3):
                client.cookies.clear()  # a logged-in client would need its CSRF token to post again
                statuses.append(client.post("/api/auth/login", json={"username": username, "password": password}).status_code)

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert len(statuses) == 3 * CLIENTS and set(statuses) <= {200, 401} and 200 in statuses
