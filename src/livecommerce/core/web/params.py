"""Bounded request parameters shared by every route (issue 13, point 7: no 5xx from input).

A route declares ``alert_id: RowId`` or ``limit: Limit = 50`` instead of a bare ``int``: a value outside the bounds is
refused by FastAPI with a 422 naming the parameter and the bound, before it can reach SQLite or PostgreSQL (whose
integers stop at 2^63−1) or a query with a negative LIMIT.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ROW_ID = 2**63 - 1  # the largest BIGINT of SQLite and PostgreSQL
MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_PAGE = 100_000
SHORT_TEXT = 100  # a code, a name, a key of a row
LONG_TEXT = 1000  # a free-text filter

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row's id: 1 to 2^63−1.")]
"""The integer id of a stored row (an alert, a run, a silence, a user)."""

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many rows at most: 1 to 1000.")]
"""How many rows a list answers at most."""

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many rows to skip: 0 or more.")]
"""How many rows a list skips."""

PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
"""A page of a paged list, from 1."""

PageSize = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows a page: 1 to 1000.")]
"""Rows on one page of a paged list."""

KeyPath = Annotated[str, Path(min_length=1, max_length=SHORT_TEXT, description="A key: 1 to 100 characters.")]
"""A textual key in a path (a platform code, a session id, a shop id)."""

ShortText = Annotated[str | None, Query(max_length=SHORT_TEXT, description="At most 100 characters.")]
"""An optional code or name filter of a list."""

LongText = Annotated[str | None, Query(max_length=LONG_TEXT, description="At most 1000 characters.")]
"""An optional free-text filter of a list."""
