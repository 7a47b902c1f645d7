import logging
import os

from app.content import ContentStore, body_hash
from tests.unit.content_factory import write_page


def test_translation_fallback_and_stale_detection(tmp_path):
    body = "Lead.\n\n## Part\n"
    write_page(tmp_path, "en", "rights", "your-rights", title="Your rights", body=body)
    write_page(tmp_path, "en", "court", "going-to-court", title="Going to court")
    write_page(
        tmp_path,
        "cy",
        "rights",
        "your-rights",
        title="Eich hawliau",
        body="Cyflwyniad.\n",
        source_hash=body_hash(body),
    )
    store = ContentStore(tmp_path, ["en", "cy"])

    translated = store.view("cy", "your-rights")
    assert (
        translated.page.title == "Eich hawliau" and not translated.fallback and not translated.stale
    )

    fallback = store.view("cy", "going-to-court")
    assert fallback.fallback and fallback.page.lang == "en"
    assert store.view("cy", "nowhere") is None

    write_page(tmp_path, "en", "rights", "your-rights", title="Your rights", body=body + "More.\n")
    store.refresh(force=True)
    assert store.view("cy", "your-rights").stale


def test_a_changed_file_is_picked_up_without_a_restart(tmp_path):
    path = write_page(tmp_path, "en", "court", "going-to-court", title="Old title")
    store = ContentStore(tmp_path, ["en"], reload_seconds=3600)
    version = store.version
    assert store.view("en", "going-to-court").page.title == "Old title"

    write_page(tmp_path, "en", "court", "going-to-court", title="New title")
    os.utime(path, ns=(1, 2))  # a different mtime even on a coarse-grained filesystem
    assert store.refresh() is False  # checked less than reload_seconds ago: no disk access
    assert store.refresh(force=True) is True
    assert store.view("en", "going-to-court").page.title == "New title"
    assert store.version != version


def test_rendered_html_is_cached_per_file_hash_and_language(tmp_path):
    write_page(tmp_path, "en", "court", "going-to-court", body="See [x](/guidance/going-to-court).")
    store = ContentStore(tmp_path, ["en", "ar"])
    page = store.pages("en")["going-to-court"]
    assert store.rendered(page, "en") is store.rendered(page, "en")
    assert 'href="/ar/guidance/going-to-court"' in store.rendered(page, "ar").html


def test_a_broken_file_is_skipped_with_a_log_line_not_fatal(tmp_path, caplog):
    write_page(tmp_path, "en", "court", "going-to-court")
    bad = tmp_path / "en" / "court" / "broken.md"
    bad.write_text("---\ntitle: [oops\n---\n")
    with caplog.at_level(logging.WARNING):
        store = ContentStore(tmp_path, ["en"])
    assert set(store.pages("en")) == {"going-to-court"}
    assert any("broken.md" in r.getMessage() for r in caplog.records)
    assert store.problems and "not valid YAML" in store.problems[0].message


def test_duplicate_slugs_are_reported(tmp_path):
    write_page(tmp_path, "en", "court", "same")
    write_page(tmp_path, "en", "reporting", "same")
    store = ContentStore(tmp_path, ["en"])
    assert len(store.pages("en")) == 1
    assert any("also used by" in p.message for p in store.problems)


def test_contents_and_journey_order(tmp_path):
    write_page(tmp_path, "en", "court", "b", title="B", order=20)
    write_page(tmp_path, "en", "court", "a", title="A", order=10)
    write_page(tmp_path, "en", "reporting", "r", title="R")
    store = ContentStore(tmp_path, ["en"])
    contents = store.contents("en")
    assert [s for s, _ in contents] == ["reporting", "court"]
    assert [p.slug for p in dict(contents)["court"]] == ["a", "b"]
    journey = dict(store.journey("en"))
    assert list(journey)[:2] == ["reporting", "investigation"] and journey["investigation"] == []


def test_translation_status_lists_current_stale_missing_and_unreviewed(tmp_path):
    from app.content.status import translation_status

    body = "Lead.\n"
    write_page(tmp_path, "en", "court", "a", body=body)
    write_page(tmp_path, "en", "court", "b", body=body)
    write_page(tmp_path, "en", "court", "c", body=body)
    write_page(tmp_path, "cy", "court", "a", source_hash=body_hash(body), translation_reviewed=True)
    write_page(tmp_path, "cy", "court", "b", source_hash="old")
    [welsh] = translation_status(ContentStore(tmp_path, ["en", "cy"]))
    assert (welsh.current, welsh.stale, welsh.missing) == (("a",), ("b",), ("c",))
    assert welsh.unreviewed == ("b",)


def test_a_page_broken_on_disk_keeps_serving_its_last_good_version(tmp_path, caplog):
    path = write_page(tmp_path, "en", "court", "going-to-court", title="Good title")
    store = ContentStore(tmp_path, ["en"])
    path.write_text("---\ntitle: [broken\n---\n")
    with caplog.at_level(logging.WARNING):
        store.refresh(force=True)
    assert store.view("en", "going-to-court").page.title == "Good title"
    assert any("last good version" in r.getMessage() for r in caplog.records)
    assert store.problems  # and the checker still names it


def test_glossary_loads_validates_and_falls_back_to_english(tmp_path):
    from app.content.glossary import load_glossary

    (tmp_path / "glossary.yaml").write_text(
        "- {id: cps, term: CPS, auto_link: true, explanation: Prosecutors., "
        "translations: {cy: Erlynwyr.}}\n- {id: cps, term: Again, explanation: Duplicate.}\n"
        "- {term: Missing id}\n"
    )
    terms, problems = load_glossary(tmp_path)
    assert [t.id for t in terms] == ["cps"]
    assert len(problems) == 2
    assert terms[0].explanation_in("cy") == ("Erlynwyr.", False)
    assert terms[0].explanation_in("ar") == ("Prosecutors.", True)
