"""Agencies, journeys (a victim's case as every agency on it shares it), the agencies taking part,
the victims on them, and the milestones agencies report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
)
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
    # What the agency does in the justice system (vocabulary.DUTY_HOLDERS): one agency can be
    # several (in London the Metropolitan Police runs the Witness Care Units: police and wcu).
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    # Where the hub POSTs signed alerts, and the HMAC key, encrypted at rest (it must be read
    # back to sign, so it cannot be a hash).
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(300), info={"encrypted": True})


class Case(Model):
    """A victim's journey through the justice system, shared by the agencies that work on it
    (`Participant`). The table keeps its first name, case_record, so that every foreign key to it
    stays as it was. `agency_id` and `reference` say which agency opened the journey and its
    reference; who may read and write the journey is the participants' list, never these."""

    __tablename__ = "case_record"
    __table_args__ = (UniqueConstraint("agency_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    # The criminal justice unique reference number (given at charge; the CPS and the courts use
    # it): agencies that send the same URN share the journey.
    urn: Mapped[str | None] = mapped_column(String(20), unique=True)
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


class Participant(Model):
    """An agency taking part in a journey, under its own reference for it. An agency reads and
    writes only the journeys it takes part in; duties are owed by the participant whose kinds
    include the rule's duty holder."""

    __tablename__ = "journey_participant"
    __table_args__ = (
        UniqueConstraint("agency_id", "reference"),
        UniqueConstraint("case_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a navigator moved the agency off a journey it joined by mistake (the row then
    # names the journey its own events went to, and says why).
    moved_from_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_record.id", ondelete="SET NULL")
    )
    moved_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()


@event.listens_for(Case, "after_insert")
def _opener_takes_part(_mapper, connection, case: Case) -> None:
    """Whoever opens a journey takes part in it: one place (here) for the API, the demo, the
    scale generator and tests alike."""
    connection.execute(
        insert(Participant).values(
            case_id=case.id,
            agency_id=case.agency_id,
            reference=case.reference,
            joined_at=case.created_at or utcnow(),
        )
    )


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
    # When the sending agency recorded it (information passed on: a court result the WCU logged),
    # if it says; otherwise when it happened. Deadlines run from this, never from when the hub
    # happened to receive it; received_at minus this is how long the agency took to tell the hub.
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    duty: Mapped[str | None] = mapped_column(String(60))  # for information_delivered
    detail: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship()
    agency: Mapped[Agency] = relationship()


class CaseVictim(Model):
    """A victim on a case, as the agency knows them; linked to a hub account once they use
    their invitation (and confirm their date of birth)."""

    __tablename__ = "case_victim"
    __table_args__ = (UniqueConstraint("case_id", "agency_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    # The agency that invited them, and its own id for this victim.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    linked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The victim's last look at the timeline: what arrived since is marked new.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
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
