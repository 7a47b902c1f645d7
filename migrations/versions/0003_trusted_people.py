"""Trusted people: someone a victim invites to act for them, with the rights the victim chooses.

Revision ID: 0003
Revises: 0002
Created: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _user_fk(column: str) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(
            "user_account.id",
            name=f"fk_trusted_person_{column}_user_account",
            ondelete="CASCADE",
        ),
        nullable=column == "person_id",
    )


def upgrade():
    op.create_table(
        "trusted_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        _user_fk("victim_id"),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rights", sa.String(length=100), nullable=False),
        sa.Column("invite_hash", sa.String(length=64), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _user_fk("person_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_person")),
        sa.UniqueConstraint("invite_hash", name=op.f("uq_trusted_person_invite_hash")),
        sa.UniqueConstraint("public_id", name=op.f("uq_trusted_person_public_id")),
    )
    op.create_index(op.f("ix_trusted_person_victim_id"), "trusted_person", ["victim_id"])
    op.create_index(op.f("ix_trusted_person_person_id"), "trusted_person", ["person_id"])


def downgrade():
    op.drop_table("trusted_person")
