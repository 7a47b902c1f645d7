"""What victims ask for and say through the hub, and each step it took.

The victim's own words (statements, reasons, messages) are encrypted at rest: a database copy or
backup alone does not reveal them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.crypto import EncryptedBytes, EncryptedJSON, EncryptedText
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import Model


class VictimRequest(Model):
    """A Victim Personal Statement or a Right to Review: a draft the victim fills in page by page,
    then a document sent to the agency that owns it, tracked to an end state."""

    __tablename__ = "victim_request"
    __table_args__ = (Index("ix_victim_request_queue", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # VPS-…, VRR-…: for people
    kind: Mapped[str] = mapped_column(String(8))  # vps | vrr
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    case_victim_id: Mapped[int] = mapped_column(
        ForeignKey("case_victim.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    # Where it goes: the case's agency for a VPS and a police review; the CPS for a CPS review
    # (no CPS agency registered: the case's agency, which passes it on).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    scheme: Mapped[str | None] = mapped_column(String(8))  # vps: make | update; vrr: police | cps
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    answers: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    document: Mapped[bytes | None] = mapped_column(EncryptedBytes)  # the PDF as sent
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Referral(Model):
    """The victim asked the hub to refer them to a support service, sharing what they chose."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_queue", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # REF-…
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="SET NULL"))
    service_id: Mapped[str] = mapped_column(String(80))  # an id in content/services.yaml
    channel: Mapped[str] = mapped_column(String(10))  # email | navigator
    address: Mapped[str | None] = mapped_column(String(320))  # the e-mail it went to
    # Consent per field: only the fields the victim ticked are here, with what was shared.
    shared: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    consent_fields: Mapped[list] = mapped_column(JSON, default=list)
    consented_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatusChange(Model):
    """One step of a request or a referral: who moved it, from what, to what, why. The victim sees
    these as the history of what they asked for."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))  # request | referral
    subject_id: Mapped[int] = mapped_column()
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(10))  # victim | navigator | agency | hub
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    actor_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Message(Model):
    """One message in the thread between a victim and the hub's navigators (one thread per
    victim). Plain text; no attachments."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_thread", "victim_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    victim_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    from_victim: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CallRecord(Model):
    """A navigator's note of a call with a victim (or an attempt): staff-only, never shown to the
    victim, but in their data export."""

    __tablename__ = "call_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    victim_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    navigator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # spoke | no_answer | voicemail | unsafe_to_talk
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
