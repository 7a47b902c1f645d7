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


def test_demo_scale_makes_journeys_shared_by_the_agencies_that_would_send_their_events(tmp_path):
    """`flask demo --scale`: 2 to 4 London agencies per journey, the police borough opening it;
    a URN, the CPS and the Witness Care Unit once charged; probation after custody; each event
    from the agency that would send it; every duty with a holder on the journey."""
    import re
    from collections import defaultdict

    from flask_migrate import upgrade
    from sqlalchemy import select

    from app.cases.models import Agency, Case, CaseVictim, Milestone, Participant
    from app.entitlements.service import recompute_all
    from app.extensions import db
    from app.scale import SENDERS
    from app.tasks.models import NavigatorTask

    app = make_app(f"sqlite:///{tmp_path / 'scale.db'}")
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "--scale", "300"])
        assert result.exit_code == 0, result.output
        kinds = {a.id: a.kinds for a in db.session.scalars(select(Agency))}
        taking_part = defaultdict(list)
        for p in db.session.scalars(select(Participant).order_by(Participant.joined_at)):
            taking_part[p.case_id].append(kinds[p.agency_id][0])
        cases = db.session.scalars(select(Case)).all()
        sent = defaultdict(set)
        for case_id, type_, agency_id, recorded in db.session.execute(
            select(Milestone.case_id, Milestone.type, Milestone.agency_id, Milestone.recorded_at)
        ):
            sent[case_id].add((type_, kinds[agency_id][0], recorded is not None))
        custody = {
            case_id
            for case_id, detail in db.session.execute(
                select(Milestone.case_id, Milestone.detail).where(Milestone.type == "sentence")
            )
            if detail["months"]
        }
        victims = dict(db.session.execute(select(CaseVictim.case_id, CaseVictim.agency_id)).all())
        assert len(cases) == 300
        for case in cases:
            journey, events = taking_part[case.id], sent[case.id]
            assert 2 <= len(journey) <= 4 and journey[0] == "police"
            assert kinds[case.agency_id] == ["police"] and victims[case.id] == case.agency_id
            types = {t for t, _kind, _recorded in events}
            if "charged" in types:
                assert re.fullmatch(r"01[A-Z]{2}\d{7}", case.urn or "")
                assert {"cps", "wcu"} <= set(journey)
            else:
                assert case.urn is None and journey == ["police", "police"]
            assert ("probation" in journey) == (case.id in custody)
            for type_, kind, _recorded in events:
                assert kind == SENDERS.get(type_, "police"), (type_, kind)
        assert any(recorded for events in sent.values() for *_rest, recorded in events)
        assert any(len(j) == 4 for j in taking_part.values())
        recompute_all()
        assert db.session.scalars(select(NavigatorTask.reason)).all() == []
