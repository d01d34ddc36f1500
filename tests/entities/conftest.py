"""Registry fixtures: a session on SQLite and on PostgreSQL (``registry_home``) and the seeded small province."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from registry_data import seed
from sqlalchemy.orm import Session

from livecommerce.core.db import session_factory
from livecommerce.core.settings import Settings


@pytest.fixture
def session(registry_home: Settings) -> Iterator[Session]:
    """A registry session on the backend of ``registry_home`` (SQLite, then PostgreSQL)."""
    db = session_factory(registry_home)()
    try:
        yield db
    finally:
        db.rollback()
        db.close()


@pytest.fixture
def seeded(session: Session) -> Session:
    """The small province of registry_data.py, committed."""
    seed(session)
    return session
