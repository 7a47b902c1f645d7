"""The anonymous page cache's size under junk query strings, and the SQL statements of a
navigator's look at a victim's record.

    .venv/bin/python bench/cache_and_record.py

In this process, on SQLite (a temporary file): (1) a guidance page asked for once plainly and then
with 300 query strings it does not read (`?utm_source=…`, `?x123=…`): the cache's entries and their
bytes (bodies and headers) afterwards; then the support directory asked for with every need and
borough filter (363 pages, each different): the bytes against PAGE_CACHE_MAX_BYTES. (2) The SQL
statements of one GET of a victim's record page (the whole request: session, user, audit row and
commit included) for a victim with 1 and with 10 of each kind (cases each with that many
milestones, sent requests, referrals, messages, calls, open tasks), counted with SQLAlchemy's
before_cursor_execute event.

Writes bench/results.json (section "cache_and_record") and its table in bench/README.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from common import machine, save, update_readme
from flask_migrate import upgrade

from app.accounts.models import Role
from app.directory.services import BOROUGHS, NEEDS
from tests.conftest import make_app
from tests.factories import create_user
from tests.integration.test_navigator_record_queries import (
    staff,
    statements_for_record,
    victim_with,
)

PAGE = "/guidance/your-rights"
JUNK = 300


def cache_figures(cache) -> tuple[int, int]:
    entries = list(cache.entries.values())
    size = sum(len(e.body) + sum(len(k) + len(v) for k, v in e.headers) for e in entries)
    return len(entries), size


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'hub.db'}")
        cache = app.extensions["page_cache"]
        with app.app_context():
            upgrade()
            client = app.test_client()
            assert client.get(PAGE).status_code == 200
            plain = cache_figures(cache)
            for i in range(JUNK):
                junk = f"utm_source=mail{i}" if i % 2 else f"x{i}={i}"
                assert client.get(f"{PAGE}?{junk}").status_code == 200
            after_junk = cache_figures(cache)
            for need in NEEDS:
                for borough in BOROUGHS:
                    client.get(f"/support-services?need={need}&borough={borough}")
            directory = cache_figures(cache)
            cap = app.config.get("PAGE_CACHE_MAX_BYTES")

            navigator, browser = staff(app)
            others = [create_user(role=Role.NAVIGATOR) for _ in range(2)]
            one = len(statements_for_record(browser, victim_with(1, [navigator, *others])))
            ten = len(statements_for_record(browser, victim_with(10, [navigator, *others])))

    figures = {
        "cache_plain": {"entries": plain[0], "bytes": plain[1]},
        "cache_after_junk": {"entries": after_junk[0], "bytes": after_junk[1]},
        "cache_after_directory": {"entries": directory[0], "bytes": directory[1]},
        "cache_max_bytes": cap,
        "record_statements": {"1": one, "10": ten},
    }
    save("cache_and_record", figures)
    table = "\n".join(
        [
            f"Measured on {machine()} (SQLite).",
            "",
            "| what | entries | bytes |",
            "|---|---:|---:|",
            f"| `{PAGE}` once | {plain[0]} | {plain[1]:,} |",
            f"| then {JUNK} query strings it does not read | {after_junk[0]} | {after_junk[1]:,} |",
            f"| then {len(NEEDS) * len(BOROUGHS)} support-directory filters "
            f"(cap {cap:,} bytes) | {directory[0]} | {directory[1]:,} |",
            "",
            "| victim's record page, 1 GET | 1 of each kind | 10 of each kind |",
            "|---|---:|---:|",
            f"| SQL statements | {one} | {ten} |",
        ]
    )
    update_readme("cache_and_record", "Page cache and the navigator's victim record", table)
    print(table)


if __name__ == "__main__":
    main()
