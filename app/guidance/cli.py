"""`flask content …` for editors and CI, and `flask demo` to load demonstration data."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from app.content import check_content
from app.guidance.search import sync_index
from app.guidance.service import content_store


@click.group("content", help="Check and index the guidance content.")
def content_cli() -> None:
    pass


@content_cli.command("check", help="Validate every content file; exit 1 on any error.")
@click.option("--strict", is_flag=True, help="Treat warnings (stale translations) as errors too.")
@with_appcontext
def check_command(strict: bool) -> None:
    problems = check_content(current_app.config["CONTENT_DIR"], current_app.config["HUB_LANGUAGES"])
    errors = [p for p in problems if p.severity == "error" or strict]
    for problem in problems:
        click.echo(str(problem), err=problem in errors)
    pages = sum(len(content_store().pages(lang)) for lang in content_store().languages)
    click.echo(
        f"{pages} pages checked: {len(errors)} errors, {len(problems) - len(errors)} warnings"
    )
    sys.exit(1 if errors else 0)


@content_cli.command("status", help="List stale and missing translations per language.")
@click.option("--verbose", "-v", is_flag=True, help="Also list the pages in each group.")
@with_appcontext
def status_command(verbose: bool) -> None:
    from app.content.status import translation_status

    rows = translation_status(content_store())
    click.echo(f"{'language':<10}{'current':>9}{'stale':>7}{'missing':>9}{'unreviewed':>12}")
    for row in rows:
        click.echo(
            f"{row.lang:<10}{len(row.current):>9}{len(row.stale):>7}{len(row.missing):>9}"
            f"{len(row.unreviewed):>12}"
        )
        if verbose:
            for label in ("stale", "missing", "unreviewed"):
                for slug in getattr(row, label):
                    click.echo(f"  {row.lang} {label}: {slug}")


@content_cli.command("index", help="Bring the search index in line with the content files.")
@with_appcontext
def index_command() -> None:
    changed = sync_index(content_store())
    click.echo(f"search index: {changed} documents updated")
