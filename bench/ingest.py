"""Partner API ingest and the signed-in timeline, at London scale.

    make bench-ingest      (or: .venv/bin/python bench/ingest.py --seconds 60 --cases 200000)

1. Ingest: gunicorn with 2 workers in front of SQLite (WAL) and of PostgreSQL; client processes
   post events through the real API (OAuth token, Idempotency-Key, JSON) for a fixed time, one
   event per request and in batches of 100. One event in 20 is sent twice (a new request with
   the same event id, as a retrying agency would). Afterwards the database must hold exactly one
   row per distinct event id, and the outbox one message per victim per minute at most.
   The events come from three agencies' systems (the busiest Met borough, Witness Care Unit and
   CPS area of 20,000 journeys), each posting to the journeys it takes part in under its own
   references, and acknowledging duties it owes there.
2. Timeline: PostgreSQL holding `--cases` journeys (2 to 4 agencies each) with about ten events
   each (made by `flask demo --scale`, kept in schema bench_scale between runs); signed-in
   victims load their case page and timeline; p50/p95/p99 over every request.

Writes bench/results.json (section "ingest") and the table in bench/README.md. Stops with a clear
message, leaving nothing running, if PostgreSQL does not answer.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import (
    BIN,
    ROOT,
    free_port,
    machine,
    percentile,
    save,
    start,
    stop,
    update_readme,
    wait_for,
)

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCALE_SCHEMA = "bench_scale"


def pg_url(schema: str) -> str:
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


# The data set's statements and messages are encrypted at rest: every bench that reads them
# must hold the key they were written with. Synthetic data: this is not a secret.
SCALE_DATA_KEY = "bench-scale-data-key: synthetic data only"


def scale_env(**extra: str) -> dict:
    """The environment for the app on the 200,000-case data set. In production mode the app
    needs Redis for its rate limits (as scripts/prod.sh, which the benches start, gives it)."""
    env = {
        **os.environ,
        "DATABASE_URL": pg_url(SCALE_SCHEMA),
        "DATA_KEY": SCALE_DATA_KEY,
        "LOG_REQUESTS": "0",
        **extra,
    }
    if env.get("HUB_ENV") == "production":
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


def postgres_answers() -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(POSTGRES, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def flask(env: dict, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def psql(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql))
    engine.dispose()


# --- ingest ---------------------------------------------------------------------------------------

SETUP = """
import json, sys
from sqlalchemy import func, select
from app import create_app
from app.extensions import db
from app.cases.models import Agency, Participant
from app.entitlements.models import CaseEntitlement
from app.entitlements.service import recompute_all
from app.scale import generate
from tests.factories import create_partner_client
app = create_app()
with app.app_context():
    # Realistic journeys (2 to 4 agencies each, about ten events, a victim each, some with
    # accounts): events then land on short histories, as they would in life, not on a few cases
    # growing without end. What is owed is worked out first, as a live hub would have it (an
    # acknowledgement must name a duty the journey is owed).
    generate(int(sys.argv[1]), linked_users=int(sys.argv[1]) // 10)
    recompute_all()
    taking_part = dict(db.session.execute(
        select(Participant.agency_id, func.count()).group_by(Participant.agency_id)).all())
    agencies = []
    for kind in ("police", "wcu", "cps"):
        # The busiest agency of each kind posts to the journeys it takes part in.
        agency_id = max(
            (a.id for a in db.session.scalars(select(Agency)) if kind in (a.kinds or ())),
            key=lambda i: taking_part.get(i, 0))
        references = list(db.session.scalars(
            select(Participant.reference).where(Participant.agency_id == agency_id)))
        # Duties it owes and has not yet done, by reference: what it acknowledges.
        acks = db.session.execute(
            select(Participant.reference, func.min(CaseEntitlement.rule_id))
            .join(CaseEntitlement, CaseEntitlement.case_id == Participant.case_id)
            .where(Participant.agency_id == agency_id, CaseEntitlement.agency_id == agency_id,
                   CaseEntitlement.kind == "duty",
                   CaseEntitlement.status.in_(("due", "overdue")))
            .group_by(Participant.reference)
        ).all()
        client, secret = create_partner_client(agency=db.session.get(Agency, agency_id))
        agencies.append({"kind": kind, "client_id": client.client_id, "secret": secret,
                         "references": references, "acks": [list(a) for a in acks]})
    with open(sys.argv[2], "w") as f:
        json.dump(agencies, f)
"""
# What each kind of agency sends most: the everyday steps of a journey, with acknowledgements
# of duties it owes.
EVENT_TYPES = {
    "police": [
        "officer_assigned",
        "suspect_interviewed",
        "information_delivered",
        "released_on_bail",
        "charged",
        "vps_offered",
    ],
    "wcu": [
        "hearing_details_received",
        "trial_date_set",
        "information_delivered",
        "witness_required",
        "first_hearing",
        "plea",
    ],
    "cps": ["charges_altered", "information_delivered"],
}
# Which agency each client process posts for: the police send most, the CPS least.
POSTERS = ("police", "wcu", "police", "wcu", "police", "cps", "police", "wcu")


def _token(port: int, client_id: str, secret: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    connection.request(
        "POST",
        "/oauth/token",
        body="grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return json.loads(connection.getresponse().read())["access_token"]


def _poster(args: tuple) -> dict:
    """One client process: post for `seconds`, return what it sent and how it went."""
    port, token, worker, seconds, batch, agency = args
    references, acks, types = agency["references"], agency["acks"], EVENT_TYPES[agency["kind"]]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent_ids, latencies, errors, n = set(), [], 0, 0
    deadline = time.monotonic() + seconds
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    while time.monotonic() < deadline:
        events = []
        for _ in range(batch):
            n += 1
            # One in 20 repeats the previous event id: a retry the hub must not store twice.
            event_id = f"w{worker}-{n - 1 if n % 20 == 0 else n}"
            kind = types[n % len(types)]
            pick = worker * 7919 + n * 31
            event = {"id": event_id, "type": kind, "occurred_at": now}
            if kind == "information_delivered" and acks:
                event["case"], event["duty"] = acks[pick % len(acks)]
            else:
                if kind == "information_delivered":  # nothing owed: something else instead
                    event["type"] = types[0]
                event["case"] = references[pick % len(references)]
            events.append(event)
        if batch == 1:
            event = events[0]
            path, body = f"/api/v1/cases/{event.pop('case')}/events", event
        else:
            path, body = "/api/v1/events/batch", {"events": events}
        started = time.perf_counter()
        try:
            connection.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            response = connection.getresponse()
            response.read()
            ok = response.status in (200, 201)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
        latencies.append((time.perf_counter() - started) * 1000)
        if ok:
            sent_ids.update(e["id"] for e in events)
        else:
            errors += 1
    return {"ids": sent_ids, "latencies": latencies, "errors": errors, "events": n}


def ingest(database_url: str, label: str, seconds: int, batch: int, clients: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_REQUESTS": "0",
        "NOTIFY_ENQUEUE": "0",
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(ROOT),
    }
    flask(env, "db", "upgrade")
    listing = Path(tempfile.mkstemp(suffix=".json")[1])
    subprocess.run(
        [str(BIN / "python"), "-c", SETUP, "20000", str(listing)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    agencies = {a["kind"]: a for a in json.loads(listing.read_text())}
    listing.unlink()
    port = free_port()
    server = start(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        env,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        tokens = {k: _token(port, a["client_id"], a["secret"]) for k, a in agencies.items()}
        kinds = [POSTERS[w % len(POSTERS)] for w in range(clients)]
        jobs = [(port, tokens[k], w, seconds, batch, agencies[k]) for w, k in enumerate(kinds)]
        began = time.monotonic()
        with multiprocessing.Pool(clients) as pool:
            runs = pool.map(_poster, jobs)
        elapsed = time.monotonic() - began
    finally:
        stop(server)
    distinct = set().union(*(r["ids"] for r in runs))
    stored, outbox = _count(database_url)
    sent = sum(r["events"] for r in runs)
    latencies = [x for r in runs for x in r["latencies"]]
    return {
        "database": label,
        "batch": batch,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "events_sent": sent,
        "distinct_events": len(distinct),
        "stored": stored,
        "stored_exactly_once": stored == len(distinct),
        "outbox_messages": outbox,
        "events_per_second": round(len(distinct) / elapsed),
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in runs),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def _count(database_url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM milestone WHERE agency_event_id LIKE 'w%'")
        ).scalar_one()
        outbox = connection.execute(text("SELECT count(*) FROM notification")).scalar_one()
    engine.dispose()
    return stored, outbox


# --- timeline -------------------------------------------------------------------------------------

SESSIONS = """
import sys
from flask import session
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.accounts.models import User
from app.accounts.sessions import start
from app.cases.models import CaseVictim
app = create_app()
serializer = app.session_interface.get_signing_serializer(app)
with app.app_context():
    rows = db.session.execute(
        select(User.id, CaseVictim.public_id).join(CaseVictim, CaseVictim.user_id == User.id)
        .where(User.email.like('scale-%')).limit(int(sys.argv[1]))).all()
for user_id, case in rows:
    with app.test_request_context():  # one sign-in per request: each rotates the last one out
        start(db.session.get(User, user_id), mfa=False)
        db.session.commit()
        print(serializer.dumps(dict(session)), case)
"""


def scale_data(cases: int) -> dict:
    """Make (once) or reuse the PostgreSQL data set in schema bench_scale."""
    env = scale_env()
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url(SCALE_SCHEMA))
    with engine.connect() as connection:
        tables = set(
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = :s "
                    "AND table_name IN ('case_record', 'journey_participant')"
                ),
                {"s": SCALE_SCHEMA},
            ).scalars()
        )
        existing, participants = (
            connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
            if t in tables
            else 0
            for t in ("case_record", "journey_participant")
        )
    engine.dispose()
    # A data set made before journeys were shared (one agency each) is made again.
    if existing < cases or participants < 2 * existing:
        print(
            f"making {cases:,} journeys in PostgreSQL schema {SCALE_SCHEMA} (once; a few minutes)"
        )
        psql(f'DROP SCHEMA IF EXISTS "{SCALE_SCHEMA}" CASCADE; CREATE SCHEMA "{SCALE_SCHEMA}"')
        flask(env, "db", "upgrade")
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", "demo", "--scale", str(cases)],
            cwd=ROOT,
            env=env,
            check=True,
        )
    else:  # bring an older data set's schema up to date
        flask(env, "db", "upgrade")
    psql(f'ANALYZE "{SCALE_SCHEMA}".milestone; ANALYZE "{SCALE_SCHEMA}".case_victim')
    engine = create_engine(pg_url(SCALE_SCHEMA))
    with engine.connect() as connection:
        counts = {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
            for t in ("case_record", "milestone")
        }
    engine.dispose()
    return counts


def _reader(args: tuple) -> list[float]:
    port, cookie_name, sessions, seconds, worker = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, n = [], worker
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        token, case = sessions[n % len(sessions)]
        n += 7
        path = f"/account/cases/{case}" if n % 3 else "/account/cases"
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": f"{cookie_name}={token}"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def timeline(cases: int, seconds: int, clients: int) -> dict:
    counts = scale_data(cases)
    env = scale_env(RATELIMIT_ENABLED="0")
    out = subprocess.run(
        [str(BIN / "python"), "-c", SESSIONS, "500"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sessions = [tuple(line.split()) for line in out.splitlines() if line.strip()]
    port = free_port()
    server = start(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        env,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        _reader((port, "hub_session", sessions, 2, 0))  # warm up
        with multiprocessing.Pool(clients) as pool:
            runs = pool.map(
                _reader, [(port, "hub_session", sessions, seconds, w) for w in range(clients)]
            )
    finally:
        stop(server)
    latencies = [x for r in runs for x in r]
    return {
        "cases": counts["case_record"],
        "milestones": counts["milestone"],
        "clients": clients,
        "requests": len(latencies),
        "rps": round(len(latencies) / seconds),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


def render(figures: dict) -> str:
    rows = [
        f"Measured {figures['date']} on {figures['machine']}. Client processes on the same cores. "
        "Events from a Met borough, a Witness Care Unit and a CPS area, each to journeys it takes "
        "part in (20,000 journeys, 2 to 4 agencies each).",
        "",
        "| database | events per request | clients | events/s stored | requests | errors | p50 | p95 | stored exactly once |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in figures["runs"]:
        rows.append(
            f"| {r['database']} | {r['batch']} | {r['clients']} | {r['events_per_second']:,} | "
            f"{r['requests']:,} | {r['errors']} | {r['p50_ms']} ms | {r['p95_ms']} ms | "
            f"{'yes' if r['stored_exactly_once'] else 'NO'} ({r['stored']:,} of {r['distinct_events']:,}; "
            f"{r['events_sent'] - r['distinct_events']:,} repeats refused) |"
        )
    t = figures.get("timeline")
    if t:
        rows += [
            "",
            "Target: ≥ 500 events/s for 60 s on each database, each event stored once.",
            "",
            "| signed-in victims, PostgreSQL | cases | events | clients | req/s | p50 | p95 | p99 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| case list and timeline pages | {t['cases']:,} | {t['milestones']:,} | {t['clients']} | "
            f"{t['rps']:,} | {t['p50_ms']} ms | {t['p95_ms']} ms | {t['p99_ms']} ms |",
            "",
            "Target: p95 < 50 ms with 200,000 cases and 2,000,000 events.",
        ]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="per ingest run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cases", type=int, default=200_000, help="for the timeline")
    parser.add_argument("--timeline-seconds", type=int, default=30)
    parser.add_argument("--skip-timeline", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true", help="keep the last ingest figures")
    args = parser.parse_args()
    if not postgres_answers():
        print(
            "bench/ingest.py: PostgreSQL does not answer on 127.0.0.1:5432 (database test); "
            "start it and run again.",
            file=sys.stderr,
        )
        return 2
    runs = []
    schema = f"bench_ingest_{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for batch in () if args.skip_ingest else (1, 100):
                sqlite = f"sqlite:///{Path(tmp) / f'ingest-{batch}.db'}"
                runs.append(ingest(sqlite, "SQLite (WAL)", args.seconds, batch, args.clients))
                print(runs[-1])
                psql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
                runs.append(ingest(pg_url(schema), "PostgreSQL", args.seconds, batch, args.clients))
                print(runs[-1])
        finally:
            psql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    if args.skip_ingest:
        runs = json.loads((ROOT / "bench" / "results.json").read_text())["ingest"]["runs"]
    figures = {"runs": runs}
    if not args.skip_timeline:
        figures["timeline"] = timeline(args.cases, args.timeline_seconds, 4)
        print(figures["timeline"])
    save("ingest", figures)
    figures.update(machine=machine(), date=time.strftime("%Y-%m-%d"))
    table = render(figures)
    print(table)
    update_readme("ingest", "Partner API ingest and the signed-in timeline", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
