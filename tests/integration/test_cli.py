"""`flask content check` and `flask content index`, as an editor or CI runs them."""

from __future__ import annotations

from tests.conftest import make_app
from tests.unit.content_factory import write_page


def test_content_check_passes_on_the_real_content(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_content_check_fails_on_errors(tmp_path, database_url):
    write_page(tmp_path, "en", "court", "good", body="Fine.\n\n## Part\n")
    write_page(tmp_path, "en", "court", "bad-link", body="[x](/guidance/nowhere)\n")
    write_page(tmp_path, "en", "court", "bad-heading", body="## A\n\n#### B\n")
    write_page(tmp_path, "en", "court", "bad-right", rights=[13])
    (tmp_path / "en" / "court" / "no-sources.md").write_text(
        "---\ntitle: T\nsummary: S\nsection: court\norder: 1\nrights: []\n"
        "reviewed: 2026-01-01\n---\nx"
    )
    app = make_app(database_url, CONTENT_DIR=tmp_path)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    for expected in (
        "broken link to /guidance/nowhere",
        "heading level skipped: h2 then h4",
        "unknown right number",
        "missing front matter: sources",
    ):
        assert expected in result.output
    assert "4 errors" in result.output


def test_content_index_is_idempotent(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "index"])
    result = runner.invoke(args=["content", "index"])
    assert result.exit_code == 0
    assert "0 documents updated" in result.output


def test_content_status_prints_a_table_per_language(app):
    result = app.test_cli_runner().invoke(args=["content", "status", "-v"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["language", "current", "stale", "missing", "unreviewed"]
    rows = [line.split() for line in lines[1:] if not line.startswith(" ")]
    offered = {lang.code for lang in app.extensions["hub_languages"]} - {"en"}
    assert {row[0] for row in rows} == offered and all(len(row) == 5 for row in rows)
    assert "cy missing: special-measures" in result.output
