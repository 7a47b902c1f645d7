"""The outbox (messages to victims and signed webhooks to agencies, claimed by workers with a
lease), confirmations of critical updates, navigators' tasks, and agencies' webhook settings.

Revision ID: 0007
Revises: 0006
Created: 2026-11-24 02:07:42.454288
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_notification_agency_id_agency"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notification_dedupe_key")),
        sa.UniqueConstraint("public_id", name=op.f("uq_notification_public_id")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_notification_due", ["status", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"], unique=False)

    op.create_table(
        "navigator_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["user_account.id"],
            name=op.f("fk_navigator_task_assigned_to_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_navigator_task_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_navigator_task_milestone_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_navigator_task_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_navigator_task")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_navigator_task_dedupe_key")),
        sa.UniqueConstraint("public_id", name=op.f("uq_navigator_task_public_id")),
    )
    with op.batch_alter_table("navigator_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_navigator_task_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_navigator_task_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_navigator_task_user_id"), ["user_id"], unique=False)

    op.create_table(
        "update_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_update_confirmation_milestone_id_milestone"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_update_confirmation_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_confirmation")),
        sa.UniqueConstraint(
            "milestone_id", "user_id", name=op.f("uq_update_confirmation_milestone_id")
        ),
    )
    with op.batch_alter_table("update_confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_update_confirmation_confirm_by"), ["confirm_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_update_confirmation_milestone_id"), ["milestone_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_update_confirmation_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("webhook_url")

    with op.batch_alter_table("update_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_confirmation_user_id"))
        batch_op.drop_index(batch_op.f("ix_update_confirmation_milestone_id"))
        batch_op.drop_index(batch_op.f("ix_update_confirmation_confirm_by"))

    op.drop_table("update_confirmation")
    with op.batch_alter_table("navigator_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_navigator_task_user_id"))
        batch_op.drop_index(batch_op.f("ix_navigator_task_status"))
        batch_op.drop_index(batch_op.f("ix_navigator_task_case_id"))

    op.drop_table("navigator_task")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))
        batch_op.drop_index("ix_notification_due")
        batch_op.drop_index(batch_op.f("ix_notification_agency_id"))

    op.drop_table("notification")
