"""Registry fixtures: a session on SQLite and on PostgreSQL (``registry_home``) and the seeded small province."""

from __future__ import annotations

import pytest
from registry_data import seed
from sqlalchemy.orm import Session


@pytest.fixture
def seeded(session: Session) -> Session:
    """The small province of registry_data.py, committed."""
    seed(session)
    return session
