"""The London borough of a case, so compliance can be reported by borough.

Revision ID: 0009
Revises: 0008
Created: 2026-11-24 03:00:10.686505
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("borough", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_column("borough")
