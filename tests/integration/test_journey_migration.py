"""Migration 0012 on a database holding data: each case becomes a journey with one participant
(its agency, under its reference), victims were invited by that agency, each stored entitlement
is owed by the case's agency where its kind holds the duty, and agencies keep their kind. Then
down again, and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import make_app, own_database

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(text(sql))]


def test_existing_cases_become_journeys_with_one_participant(database_url, tmp_path):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with own_database(kind, tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            from app.extensions import db

            upgrade(revision="0011")
            db.session.execute(
                text(
                    "INSERT INTO agency (id, public_id, name, kind) VALUES"
                    " (1, 'ag1', 'Met', 'police'), (2, 'ag2', 'CPS London', 'cps')"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO case_record (id, public_id, agency_id, reference, crime_type,"
                    " created_at, updated_at) VALUES"
                    " (10, 'c10', 1, 'MET-10', 'assault', :now, :now),"
                    " (11, 'c11', 2, 'CPS-11', 'fraud', :now, :now)"
                ),
                {"now": NOW},
            )
            db.session.execute(
                text(
                    "INSERT INTO case_victim (id, public_id, case_id, reference,"
                    " invitation_reference, invitation_expires_at, invitation_failures) VALUES"
                    " (20, 'v20', 10, 'V1', 'HUB-AAAAAA', :now, 0)"
                ),
                {"now": NOW},
            )
            db.session.execute(
                text(
                    'INSERT INTO case_entitlement (id, case_id, rule_id, trigger_id, "right",'
                    " kind, duty_holder, status, evaluated_at) VALUES"
                    " (30, 10, 'r6-suspect-arrested', 1, 6, 'duty', 'police', 'due', :now),"
                    " (31, 10, 'r8-witness-required', 2, 8, 'duty', 'wcu', 'due', :now),"
                    " (32, 11, 'r12-complaint-acknowledged', 3, 12, 'duty', 'any', 'due', :now)"
                ),
                {"now": NOW},
            )
            db.session.commit()

            upgrade()
            assert _rows(
                db,
                "SELECT case_id, agency_id, reference FROM journey_participant ORDER BY case_id",
            ) == [(10, 1, "MET-10"), (11, 2, "CPS-11")]
            assert _rows(db, "SELECT agency_id FROM case_victim") == [(1,)]
            assert _rows(db, "SELECT id, agency_id FROM case_entitlement ORDER BY id") == [
                (30, 1),
                (31, None),  # the Met as the police only: a WCU's duty waits for a recompute
                (32, 2),
            ]
            kinds = dict(_rows(db, "SELECT id, kinds FROM agency ORDER BY id"))
            # Read as text: SQLite gives the JSON back as a string, PostgreSQL as a list.
            assert {k: v if isinstance(v, list) else json.loads(v) for k, v in kinds.items()} == {
                1: ["police"],
                2: ["cps"],
            }
            assert _rows(db, "SELECT urn FROM case_record WHERE id = 10") == [(None,)]
            db.session.commit()

            downgrade(revision="0011")
            assert dict(_rows(db, "SELECT id, kind FROM agency")) == {1: "police", 2: "cps"}
            db.session.commit()
            upgrade()
            assert len(_rows(db, "SELECT id FROM journey_participant")) == 2
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
