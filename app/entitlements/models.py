"""Each case's entitlements as the engine last worked them out, kept so that pages, alerts and
compliance reports read them without re-evaluating, and so that what happened to each one
(alerted, escalated, reported as "not told") is remembered across re-evaluations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import new_public_id, utcnow
from ..extensions import db


class CaseEntitlement(db.Model):
    __tablename__ = "case_entitlement"
    __table_args__ = (
        UniqueConstraint("case_id", "rule_id", "trigger_id"),
        Index("ix_case_entitlement_open", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    # Looked up by case through the unique (case_id, rule_id, trigger_id) index.
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(80))
    trigger_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"))
    right: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # duty | window
    duty_holder: Mapped[str] = mapped_column(String(20))  # an agency kind
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    met_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unknown_facts: Mapped[list | None] = mapped_column(JSON)
    evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What the hub did about it, kept when the entitlement is evaluated again.
    alerted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    not_told_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
