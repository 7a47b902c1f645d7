"""Victims on cases, with the invitation that links a case to a hub account (the one-time code
stored as an Argon2 hash; the reference is short enough to read out).

Revision ID: 0006
Revises: 0005
Created: 2026-11-24 00:59:36.205011
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_victim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("preferred_language", sa.String(length=8), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invitation_reference", sa.String(length=12), nullable=False),
        sa.Column("invitation_code_hash", sa.String(length=255), nullable=True),
        sa.Column("invitation_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invitation_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_case_victim_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_case_victim_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_victim")),
        sa.UniqueConstraint("case_id", "reference", name=op.f("uq_case_victim_case_id")),
        sa.UniqueConstraint(
            "invitation_reference", name=op.f("uq_case_victim_invitation_reference")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_case_victim_public_id")),
    )
    with op.batch_alter_table("case_victim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_victim_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_victim_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("case_victim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_victim_user_id"))
        batch_op.drop_index(batch_op.f("ix_case_victim_case_id"))

    op.drop_table("case_victim")
