"""The statistics service as the web console and the API call it: a question and an actor in, an answer out, on
the embedded DuckDB warehouse of the configured home. Scope is applied inside query.run and rank.run_rank."""

from __future__ import annotations

from livecommerce.core.scope import Actor
from livecommerce.core.settings import Settings
from livecommerce.stats.query import Query, Result, open_and_run
from livecommerce.stats.rank import RankQuery, RankResult, open_and_rank


def query(q: Query, actor: Actor, settings: Settings | None = None) -> Result:
    return open_and_run(q, actor, settings)


def rank(q: RankQuery, actor: Actor, settings: Settings | None = None) -> RankResult:
    return open_and_rank(q, actor, settings)
