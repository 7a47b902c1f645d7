"""Journeys shared by agencies: participants, the URN, agencies of several kinds, duties owed by
one participant, when the sender recorded an event, and the victim's last look.

Every existing case becomes a journey with one participant (the agency that created it, under
its reference); its victims were invited by that agency; each stored entitlement is owed by that
agency where its kind holds the duty (the others wait for `flask entitlements recompute`, which
also asks navigators to find the missing agencies).

Revision ID: 0012
Revises: 0011
Created: 2026-12-07 20:20:38.763611
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_agency = sa.table(
    "agency",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("kinds", sa.JSON),
)


def upgrade():
    op.create_table(
        "journey_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_from_case_id", sa.Integer(), nullable=True),
        sa.Column("moved_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_journey_participant_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_journey_participant_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moved_from_case_id"],
            ["case_record.id"],
            name=op.f("fk_journey_participant_moved_from_case_id_case_record"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_participant")),
        sa.UniqueConstraint(
            "agency_id", "reference", name=op.f("uq_journey_participant_agency_id")
        ),
        sa.UniqueConstraint("case_id", "agency_id", name=op.f("uq_journey_participant_case_id")),
    )
    with op.batch_alter_table("journey_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journey_participant_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_journey_participant_case_id"), ["case_id"], unique=False
        )
    op.execute(
        "INSERT INTO journey_participant (case_id, agency_id, reference, joined_at) "
        "SELECT id, agency_id, reference, created_at FROM case_record"
    )

    with op.batch_alter_table("case_entitlement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))

    # While agency.kind still exists: the case's agency owes what its kind holds.
    op.execute(
        "UPDATE case_entitlement SET agency_id = ("
        " SELECT c.agency_id FROM case_record c JOIN agency a ON a.id = c.agency_id"
        " WHERE c.id = case_entitlement.case_id"
        " AND (a.kind = case_entitlement.duty_holder OR case_entitlement.duty_holder = 'any'))"
    )

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kinds", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for agency_id, kind in connection.execute(sa.select(_agency.c.id, _agency.c.kind)).all():
        connection.execute(_agency.update().where(_agency.c.id == agency_id).values(kinds=[kind]))
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.alter_column("kinds", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("kind")

    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urn", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_case_record_urn"), ["urn"])

    with op.batch_alter_table("case_victim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_case_victim_case_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_case_victim_case_id"), ["case_id", "agency_id", "reference"]
        )
        batch_op.create_index(batch_op.f("ix_case_victim_agency_id"), ["agency_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_case_victim_agency_id_agency"), "agency", ["agency_id"], ["id"]
        )
    op.execute(
        "UPDATE case_victim SET agency_id ="
        " (SELECT agency_id FROM case_record WHERE case_record.id = case_victim.case_id)"
    )

    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")

    with op.batch_alter_table("case_victim", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_victim_agency_id_agency"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_victim_agency_id"))
        batch_op.drop_constraint(batch_op.f("uq_case_victim_case_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_case_victim_case_id"), ["case_id", "reference"]
        )
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("agency_id")

    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_case_record_urn"), type_="unique")
        batch_op.drop_column("urn")

    with op.batch_alter_table("case_entitlement", schema=None) as batch_op:
        batch_op.drop_column("agency_id")

    # An agency of several kinds goes back to its first.
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
    connection = op.get_bind()
    for agency_id, kinds in connection.execute(sa.select(_agency.c.id, _agency.c.kinds)).all():
        connection.execute(
            _agency.update().where(_agency.c.id == agency_id).values(kind=(kinds or ["police"])[0])
        )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column("kinds")

    # Journeys shared by several agencies cannot be told apart again: each case keeps its opener.
    op.drop_table("journey_participant")
