"""Agencies, cases, the victims on them, and the milestones agencies report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import Model

AGENCY_KINDS = ("police", "wcu", "cps", "court", "probation", "cica", "parole-board", "yot")


class Agency(Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    # Where the hub POSTs signed alerts, and the HMAC key, encrypted at rest (it must be read
    # back to sign, so it cannot be a hash).
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(300), info={"encrypted": True})


class Case(Model):
    """A case as an agency knows it. The agency's own reference is unique per agency."""

    __tablename__ = "case_record"
    __table_args__ = (UniqueConstraint("agency_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    crime_type: Mapped[str] = mapped_column(String(60))
    borough: Mapped[str | None] = mapped_column(String(40))  # London borough, for reporting
    offence_category: Mapped[str | None] = mapped_column(String(20))
    enhanced: Mapped[bool | None] = mapped_column(Boolean)
    enhanced_reasons: Mapped[list | None] = mapped_column(JSON)
    incident_date: Mapped[dt.date | None] = mapped_column(Date)
    reported_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    agency: Mapped[Agency] = relationship()


class Milestone(Model):
    """One thing that happened in a case, as an agency reported it: stored exactly once per
    agency event id, whatever order events arrive in; timelines order by when it happened."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("agency_id", "agency_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    agency_event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duty: Mapped[str | None] = mapped_column(String(60))  # for information_delivered
    detail: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship()
    agency: Mapped[Agency] = relationship()


class CaseVictim(Model):
    """A victim on a case, as the agency knows them; linked to a hub account once they use
    their invitation (and confirm their date of birth)."""

    __tablename__ = "case_victim"
    __table_args__ = (UniqueConstraint("case_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(String(64))  # the agency's id for this victim
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    linked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The invitation: a short reference to type, and a one-time code stored as a hash.
    invitation_reference: Mapped[str] = mapped_column(String(12), unique=True)
    invitation_code_hash: Mapped[str | None] = mapped_column(String(255))
    invitation_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    invitation_failures: Mapped[int] = mapped_column(default=0)

    case: Mapped[Case] = relationship()


class UpdateConfirmation(Model):
    """A critical update (a release, an escape, changed bail conditions, a trial moved at short
    notice) that the victim must say they have seen; if they do not, a navigator calls."""

    __tablename__ = "update_confirmation"
    __table_args__ = (UniqueConstraint("milestone_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    confirm_by: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
