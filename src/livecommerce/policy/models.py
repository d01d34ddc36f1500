"""Tables of policy runs (政策兑现批次): one run computes a performance year's awards for every registered entity; each
entity's result keeps its whole explanation, and each award is one row the award list (奖补名单) filters and exports.
Results and awards name their region and entity columns in ``__scope__`` so that ``core.scope.restrict`` narrows them:
a city officer sees her city's awards, an enterprise its own."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from livecommerce.core import db
from livecommerce.core.timeutil import now

AMOUNT = Numeric(18, 2, asdecimal=True)


class PolicyRun(db.Base):
    """One computation of a performance year's awards: who ran it, with which parameters, facts and budget."""

    __tablename__ = "policy_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    created_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))  # warehouse | warehouse+declared FILE | file FILE
    overrides: Mapped[str] = mapped_column(Text, default="{}")  # JSON {parameter: value}
    parameters: Mapped[str] = mapped_column(Text, default="{}")  # JSON of every value used (LPR fixings included)
    facts: Mapped[str] = mapped_column(Text, default="")  # JSON payload evaluated (what-if re-evaluates it)
    budget: Mapped[Decimal | None] = mapped_column(AMOUNT, nullable=True)
    method: Mapped[str] = mapped_column(String(16), default="pro_rata")
    entities: Mapped[int] = mapped_column(Integer, default=0)
    entitled: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    paid: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")


class PolicyResult(db.Base):
    """One entity's result in a run: its total and its explanation (the JSON of the evaluate contract)."""

    __tablename__ = "policy_results"
    __scope__ = {"region": "region_code", "entity": "uscc"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_runs.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    total: Mapped[Decimal] = mapped_column(AMOUNT)
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[str] = mapped_column(Text)


class PolicyAward(db.Base):
    """One eligible award of one entity in a run: granted or excluded, and what the budget allocation pays."""

    __tablename__ = "policy_awards"
    __scope__ = {"region": "region_code", "entity": "uscc"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_runs.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    city_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    clause: Mapped[str] = mapped_column(String(40), index=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    granted: Mapped[bool] = mapped_column(Boolean)
    allocated: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    reason: Mapped[str] = mapped_column(Text, default="")
    review: Mapped[bool] = mapped_column(Boolean, default=False)
