"""Second-factor failures counted per account, with a lock of their own that grows like the
password's: a wrong code no longer costs nothing, and a password reset (which proves the e-mail,
not the second factor) does not lift it.

Revision ID: 0013
Revises: 0012
Created: 2026-12-09 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "failed_second_factors", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )
        batch_op.add_column(
            sa.Column("second_factor_locked_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("second_factor_locked_until")
        batch_op.drop_column("failed_second_factors")
