from app.config import ROOT
from app.content import check_content
from app.languages import KNOWN
from tests.unit.content_factory import write_page


def messages(problems):
    return [p.message for p in problems if p.severity == "error"]


def test_broken_links_skipped_headings_and_bad_related_are_errors(tmp_path):
    write_page(
        tmp_path,
        "en",
        "court",
        "going-to-court",
        body="See [gone](/guidance/no-such-page).\n\n## One\n\n#### Too deep\n",
        related=["missing"],
    )
    write_page(tmp_path, "en", "court", "titled", body="# Second title\n")
    found = messages(check_content(tmp_path, ["en"]))
    assert "broken link to /guidance/no-such-page" in found
    assert "heading level skipped: h2 then h4" in found
    assert "related page 'missing' does not exist" in found
    assert any("only level-1 heading" in m for m in found)


def test_first_heading_must_be_h2(tmp_path):
    write_page(tmp_path, "en", "court", "c", body="### Starts too deep\n")
    assert "heading level skipped: h1 then h3" in messages(check_content(tmp_path, ["en"]))


def test_translations_need_an_english_original_and_stale_ones_warn(tmp_path):
    write_page(tmp_path, "en", "court", "c")
    write_page(tmp_path, "cy", "court", "c", source_hash="0000")
    write_page(tmp_path, "cy", "court", "orphan", source_hash="0000")
    problems = check_content(tmp_path, ["en", "cy"])
    assert "translation of a page that has no English original" in messages(problems)
    assert any(p.severity == "warning" and "changed since" in p.message for p in problems)


def test_front_matter_errors_surface_in_the_check(tmp_path):
    write_page(tmp_path, "en", "court", "c", rights=[14])
    assert any("unknown right number" in m for m in messages(check_content(tmp_path, ["en"])))


def test_the_real_content_has_no_errors():
    problems = check_content(ROOT / "content", list(KNOWN))
    assert messages(problems) == []


def test_hard_english_fails_the_plain_language_gate(tmp_path):
    hard = (
        "Notwithstanding the aforementioned considerations, the prosecutorial authorities "
        "determined, following comprehensive deliberation of evidential sufficiency and public "
        "interest considerations, that institution of proceedings was inappropriate.\n"
    )
    write_page(tmp_path, "en", "court", "hard", body=hard)
    write_page(tmp_path, "en", "court", "easy", body="The police will call you. You can ask why.\n")
    found = messages(check_content(tmp_path, ["en"]))
    assert any(m.startswith("reading grade") for m in found)
    assert sum(m.startswith("reading grade") for m in found) == 1


def test_glossary_words_used_without_a_link_are_listed_as_warnings(tmp_path):
    (tmp_path / "glossary.yaml").write_text(
        "- {id: bail, term: bail, explanation: Let out while the case goes on.}\n"
        "- {id: cps, term: CPS, auto_link: true, explanation: Prosecutors.}\n"
    )
    write_page(tmp_path, "en", "court", "a", body="He was given bail. The CPS decides.\n")
    write_page(tmp_path, "en", "court", "b", body="He was given [bail](/glossary#bail).\n")
    problems = check_content(tmp_path, ["en"])
    warnings = [(p.path, p.message) for p in problems if p.severity == "warning"]
    assert warnings == [
        ("en/court/a.md", "uses 'bail' without a link to the glossary (/glossary#bail)")
    ]
    assert messages(problems) == []
