"""Content revisions: every save from the browser editor, with its author, text and diff.

Revision ID: 0004
Revises: 0003
Created: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column(
            "author_id",
            sa.Integer(),
            sa.ForeignKey(
                "user_account.id",
                name="fk_content_revision_author_id_user_account",
                ondelete="SET NULL",
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_revision")),
    )
    op.create_index(op.f("ix_content_revision_path"), "content_revision", ["path"])
    op.create_index(op.f("ix_content_revision_author_id"), "content_revision", ["author_id"])


def downgrade():
    op.drop_table("content_revision")
