"""Victims' Code entitlements at London scale, on PostgreSQL.

    make bench-entitlements   (or: .venv/bin/python bench/entitlements.py)

Uses the data set bench/ingest.py keeps in schema bench_scale (200,000 journeys, each shared by
2 to 4 agencies, with about ten events each; made there if missing). Measures:

1. the full recompute, `flask entitlements recompute`, from an empty table (every entitlement
   inserted) and again (nothing changed), with 1 and 2 processes;
2. the incremental evaluation an event triggers: one case re-evaluated and stored, as in the
   event's transaction, for 1,000 random cases (p50, p95);
3. how many navigator tasks the recompute opened to find a duty holder missing from a journey.

Writes bench/results.json (section "entitlements") and its table in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time

from common import BIN, ROOT, machine, percentile, save, update_readme
from ingest import SCALE_SCHEMA, flask, pg_url, postgres_answers, psql, scale_data, scale_env

INCREMENTAL = """
import random, sys, time
from sqlalchemy import select, func
from app import create_app
from app.cases.models import Case
from app.entitlements.service import evaluate_cases
from app.extensions import db
app = create_app()
with app.app_context():
    top = db.session.scalar(select(func.max(Case.id)))
    rng = random.Random(7)
    timings = []
    for _ in range(int(sys.argv[1])):
        case_id = rng.randint(1, top)
        started = time.perf_counter()
        evaluate_cases([case_id])
        db.session.commit()
        timings.append((time.perf_counter() - started) * 1000)
    print(" ".join(f"{t:.3f}" for t in timings))
"""


# One process per core (the command's default); one more was slower on 2 cores in every run.
WORKERS = (os.cpu_count() or 1,)


def recompute(env: dict, workers: int) -> float:
    started = time.perf_counter()
    out = flask(env, "entitlements", "recompute", "--workers", str(workers))
    seconds = time.perf_counter() - started
    assert re.search(r"cases evaluated", out), out
    return round(seconds, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=1_000)
    args = parser.parse_args()
    if not postgres_answers():
        print(
            "bench/entitlements.py: PostgreSQL does not answer on 127.0.0.1:5432 (database "
            "test); start it and run again.",
            file=sys.stderr,
        )
        return 2
    counts = scale_data(args.cases)
    env = scale_env()
    figures: dict = {"cases": counts["case_record"], "milestones": counts["milestone"]}
    for workers in WORKERS:
        psql(f'TRUNCATE "{SCALE_SCHEMA}".case_entitlement')
        figures[f"fresh_{workers}_s"] = recompute(env, workers)
        print(f"fresh, {workers} processes: {figures[f'fresh_{workers}_s']} s")
        figures[f"unchanged_{workers}_s"] = recompute(env, workers)
        print(f"unchanged, {workers} processes: {figures[f'unchanged_{workers}_s']} s")
    psql(f'ANALYZE "{SCALE_SCHEMA}".case_entitlement')
    out = subprocess.run(
        [str(BIN / "python"), "-c", INCREMENTAL, str(args.samples)],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    timings = [float(x) for x in out.split()]
    random.shuffle(timings)
    figures.update(
        incremental_samples=len(timings),
        incremental_p50_ms=round(percentile(timings, 0.5), 2),
        incremental_p95_ms=round(percentile(timings, 0.95), 2),
    )
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url(SCALE_SCHEMA))
    with engine.connect() as connection:
        figures["entitlements"] = connection.execute(
            text("SELECT count(*) FROM case_entitlement")
        ).scalar_one()
        figures["find_agency_tasks"] = connection.execute(
            text("SELECT count(*) FROM navigator_task WHERE kind = 'find_agency'")
        ).scalar_one()
    engine.dispose()
    save("entitlements", figures)
    table = render(figures, time.strftime("%Y-%m-%d"))
    print(table)
    update_readme("entitlements", "Victims' Code entitlements", table)
    return 0


def render(f: dict, date: str) -> str:
    return "\n".join(
        [
            f"Measured {date} on {machine()}; PostgreSQL 15 on the same cores; "
            f"{f['cases']:,} journeys (2 to 4 agencies each), {f['milestones']:,} events, "
            f"{f['entitlements']:,} entitlements stored; {f['find_agency_tasks']:,} navigator tasks "
            "to find a duty holder missing from a journey.",
            "",
            "| what | time |",
            "|---|---:|",
            *(
                f"| full recompute from empty, {n} processes | {f[f'fresh_{n}_s']} s |"
                for n in WORKERS
            ),
            *(
                f"| full recompute, nothing changed, {n} processes | {f[f'unchanged_{n}_s']} s |"
                for n in WORKERS
            ),
            f"| one case re-evaluated and stored (as per event), p50 | {f['incremental_p50_ms']} ms |",
            f"| one case re-evaluated and stored (as per event), p95 | {f['incremental_p95_ms']} ms |",
            "",
            "Targets: full recompute < 60 s for 200,000 cases; per event < 5 ms.",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
