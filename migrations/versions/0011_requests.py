"""Victims' requests (VPS, VRR), referrals, messages, call records, and their status history.

The victim's words are stored encrypted (Fernet text): the columns are plain Text here.

Revision ID: 0011
Revises: 0010
Created: 2026-11-24 05:15:03.382207
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "call_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("victim_id", sa.Integer(), nullable=False),
        sa.Column("navigator_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["navigator_id"],
            ["user_account.id"],
            name=op.f("fk_call_record_navigator_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"],
            ["user_account.id"],
            name=op.f("fk_call_record_victim_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_record")),
    )
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_record_victim_id"), ["victim_id"], unique=False)

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("victim_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_victim", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_message_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"],
            ["user_account.id"],
            name=op.f("fk_message_victim_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint("public_id", name=op.f("uq_message_public_id")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_thread", ["victim_id", "created_at"], unique=False)

    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=10), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_agency_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_agency_id"], ["agency.id"], name=op.f("fk_status_change_actor_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_status_change_actor_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.create_index("ix_status_change_subject", ["subject", "subject_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("shared", sa.Text(), nullable=False),
        sa.Column("consent_fields", sa.JSON(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["user_account.id"],
            name=op.f("fk_referral_assigned_to_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_referral_case_id_case_record"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_referral_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sa.UniqueConstraint("public_id", name=op.f("uq_referral_public_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_referral_reference")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_queue", ["status", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_user_id"), ["user_id"], unique=False)

    op.create_table(
        "victim_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_victim_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("scheme", sa.String(length=8), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_victim_request_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["user_account.id"],
            name=op.f("fk_victim_request_assigned_to_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_victim_request_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_victim_id"],
            ["case_victim.id"],
            name=op.f("fk_victim_request_case_victim_id_case_victim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["milestone.id"],
            name=op.f("fk_victim_request_decision_id_milestone"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_victim_request_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_request")),
        sa.UniqueConstraint("public_id", name=op.f("uq_victim_request_public_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_victim_request_reference")),
    )
    with op.batch_alter_table("victim_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_victim_request_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_victim_request_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_victim_request_case_victim_id"), ["case_victim_id"], unique=False
        )
        batch_op.create_index("ix_victim_request_queue", ["status", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_victim_request_user_id"), ["user_id"], unique=False)


def downgrade():

    with op.batch_alter_table("victim_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victim_request_user_id"))
        batch_op.drop_index("ix_victim_request_queue")
        batch_op.drop_index(batch_op.f("ix_victim_request_case_victim_id"))
        batch_op.drop_index(batch_op.f("ix_victim_request_case_id"))
        batch_op.drop_index(batch_op.f("ix_victim_request_agency_id"))

    op.drop_table("victim_request")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_user_id"))
        batch_op.drop_index("ix_referral_queue")

    op.drop_table("referral")
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_status_change_subject")

    op.drop_table("status_change")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_thread")

    op.drop_table("message")
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_record_victim_id"))

    op.drop_table("call_record")
