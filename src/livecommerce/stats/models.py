"""Tables of the statistics package. ``Target`` names its region column in ``__scope__`` so that
``core.scope`` can narrow it (see stats/targets.py for who sees which targets).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from livecommerce.core import db
from livecommerce.core.timeutil import now

COMPARISONS = {
    "over": "超过",  # strictly greater: 超过/突破 exclude the number itself (《民法典》第1259条)
    "at_least": "达到",  # greater or equal: 以上/不低于, or a bare number to reach, include it
}


class Target(db.Base):
    """A policy target (目标): a dated, cited figure that an indicator of a region should reach by a due date,
    e.g. 000_f467ed5c45ed642d.txt 一、工作目标: "到2027年底，全省网络零售额突破1200亿元".

    ``comparison`` says how the figure is met: "over" (超过/突破, strictly greater) or "at_least" (以上/不低于/达到,
    greater or equal) — 《民法典》第1259条. ``document``, ``clause`` and ``quote`` cite the seed it comes from."""

    __tablename__ = "targets"
    __scope__ = {"region": "region_code"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    target_value: Mapped[Decimal] = mapped_column(Numeric(20, 2, asdecimal=True))
    unit: Mapped[str] = mapped_column(String(16))
    comparison: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(String(100))
    clause: Mapped[str] = mapped_column(String(100))
    quote: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
