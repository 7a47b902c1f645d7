"""Each case's Victims' Code entitlements as last evaluated (status, deadline, when met), with
what the hub did about each one (alerted, escalated, reported as not told).

Revision ID: 0008
Revises: 0007
Created: 2026-11-24 02:36:18.630162
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_entitlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("right", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("duty_holder", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unknown_facts", sa.JSON(), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_case_entitlement_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trigger_id"],
            ["milestone.id"],
            name=op.f("fk_case_entitlement_trigger_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entitlement")),
        sa.UniqueConstraint(
            "case_id", "rule_id", "trigger_id", name=op.f("uq_case_entitlement_case_id")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_case_entitlement_public_id")),
    )
    with op.batch_alter_table("case_entitlement", schema=None) as batch_op:
        batch_op.create_index("ix_case_entitlement_open", ["status", "due_at"], unique=False)


def downgrade():
    with op.batch_alter_table("case_entitlement", schema=None) as batch_op:
        batch_op.drop_index("ix_case_entitlement_open")

    op.drop_table("case_entitlement")
