"""Each case's entitlements as the engine last worked them out, kept so that pages, alerts and
compliance reports read them without re-evaluating, and so that what happened to each one
(alerted, escalated, reported as "not told") is remembered across re-evaluations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import Model


class CaseEntitlement(Model):
    """Named in URLs by its id, always within the victim's own case (a lookup by case and id),
    and in dedupe keys by (case, rule, trigger): no random public id to make and index for two
    million rows."""

    __tablename__ = "case_entitlement"
    __table_args__ = (
        UniqueConstraint("case_id", "rule_id", "trigger_id"),
        # Only open ones: the alerts and the periodic refresh look for nothing else, and half the
        # rows (met, not applicable) need no entry.
        Index(
            "ix_case_entitlement_open",
            "status",
            "due_at",
            postgresql_where=text("status IN ('due', 'overdue')"),
            sqlite_where=text("status IN ('due', 'overdue')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by case through the unique (case_id, rule_id, trigger_id) index.
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(80))
    # The milestone that started it (same case). No foreign key: milestones go only with their
    # case (which cascades), re-evaluation drops rows whose trigger is gone, and the key's check
    # doubled the cost of writing two million rows in a full recompute.
    trigger_id: Mapped[int] = mapped_column(Integer)
    right: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # duty | window
    duty_holder: Mapped[str] = mapped_column(String(20))  # an agency kind
    # The participant agency that owes it (its kinds include duty_holder; for "any", the agency
    # whose event started it). None: no agency of that kind takes part in the journey yet, which
    # a navigator is asked to sort out. No foreign key and no index of its own, like trigger_id:
    # agencies are never deleted, every query by agency goes through its participations (indexed)
    # to the case's entitlements, and the key's check and the index cost a full recompute 8 s of
    # its 67 on two million rows.
    agency_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    met_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unknown_facts: Mapped[list | None] = mapped_column(JSON)
    evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What the hub did about it, kept when the entitlement is evaluated again.
    alerted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    not_told_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def key(self) -> str:
        """Names it in dedupe keys: what it is about, which survives re-evaluation (an id could
        be reused by SQLite after a delete)."""
        return f"{self.case_id}:{self.rule_id}:{self.trigger_id}"
