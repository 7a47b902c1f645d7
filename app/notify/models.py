"""The outbox: every message the hub owes someone, written in the same transaction as the news
that caused it, so a crash can delay a message but never lose it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import Model

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    # The same news is queued once for the same person, however often it is reported.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # case_update, critical_update, webhook
    channel: Mapped[str] = mapped_column(String(10))  # email, sms, webhook, agencymail
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="CASCADE"), index=True
    )
    # What to say, never to whom: addresses are read at send time, so a victim's new address or
    # language applies to messages already waiting. Never the crime.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    not_before: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
