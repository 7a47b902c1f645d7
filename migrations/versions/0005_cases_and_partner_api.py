"""Cases, milestones and the partner API: agencies, their OAuth2 clients and tokens (stored
by hash), and remembered answers for idempotent writes.

Revision ID: 0005
Revises: 0004
Created: 2026-11-24 00:56:02.866030
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("public_id", name=op.f("uq_agency_public_id")),
    )
    op.create_table(
        "case_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("crime_type", sa.String(length=60), nullable=False),
        sa.Column("offence_category", sa.String(length=20), nullable=True),
        sa.Column("enhanced", sa.Boolean(), nullable=True),
        sa.Column("enhanced_reasons", sa.JSON(), nullable=True),
        sa.Column("incident_date", sa.Date(), nullable=True),
        sa.Column("reported_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_case_record_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_record")),
        sa.UniqueConstraint("agency_id", "reference", name=op.f("uq_case_record_agency_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_case_record_public_id")),
    )
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_record_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "partner_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=48), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_partner_client_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_partner_client_client_id")),
    )
    with op.batch_alter_table("partner_client", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_client_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["partner_client.id"],
            name=op.f("fk_idempotency_record_client_pk_partner_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("client_pk", "key", name=op.f("uq_idempotency_record_client_pk")),
    )
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("agency_event_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duty", sa.String(length=60), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_milestone_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_milestone_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("agency_id", "agency_event_id", name=op.f("uq_milestone_agency_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_milestone_public_id")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "partner_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_in", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["partner_client.id"],
            name=op.f("fk_partner_token_client_pk_partner_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_token_token_hash")),
    )
    with op.batch_alter_table("partner_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_token_client_pk"), ["client_pk"], unique=False)


def downgrade():
    with op.batch_alter_table("partner_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_token_client_pk"))

    op.drop_table("partner_token")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_milestone_case_id"))
        batch_op.drop_index(batch_op.f("ix_milestone_agency_id"))

    op.drop_table("milestone")
    op.drop_table("idempotency_record")
    with op.batch_alter_table("partner_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_client_agency_id"))

    op.drop_table("partner_client")
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_record_agency_id"))

    op.drop_table("case_record")
    op.drop_table("agency")
