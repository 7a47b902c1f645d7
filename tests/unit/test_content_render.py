from app.content import render_markdown, sanitise


def test_raw_html_in_markdown_is_shown_as_text_not_run():
    rendered = render_markdown('<script>alert(1)</script>\n\n<a href="#" onclick="x()">hi</a>')
    assert "<script" not in rendered.html
    assert "onclick=" not in rendered.html.replace("&quot;", '"').split("&lt;")[0]
    assert "&lt;script&gt;" in rendered.html


def test_sanitiser_strips_scripts_event_handlers_styles_and_javascript_links():
    dirty = (
        '<p onclick="steal()" style="color:red">Hi<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)" onmouseover="x()">link</a><img src=x onerror=alert(1)>'
        "<style>body{}</style><iframe src=//evil></iframe>"
    )
    clean = sanitise(dirty)
    for bad in (
        "<script",
        "onclick",
        "onmouseover",
        "onerror",
        "javascript:",
        "style",
        "<iframe",
        "<img",
    ):
        assert bad not in clean
    assert "Hi" in clean and "link" in clean


def test_govuk_classes_and_heading_anchors():
    rendered = render_markdown("Para.\n\n## First part\n\n- one\n- two\n\n### Detail\n\n1. a\n")
    assert '<p class="govuk-body">Para.</p>' in rendered.html
    assert '<h2 id="first-part" class="govuk-heading-l">First part</h2>' in rendered.html
    assert 'class="govuk-list govuk-list--bullet"' in rendered.html
    assert 'class="govuk-list govuk-list--number"' in rendered.html
    assert [(h.level, h.text, h.anchor) for h in rendered.headings] == [
        (2, "First part", "first-part"),
        (3, "Detail", "detail"),
    ]


def test_arabic_headings_keep_their_letters_in_anchors():
    rendered = render_markdown("## حقوقك")
    assert rendered.headings[0].anchor == "حقوقك"


def test_internal_links_get_the_language_prefix_and_are_collected():
    rendered = render_markdown("See [rights](/guidance/your-rights#right-4).", lang="cy")
    assert 'href="/cy/guidance/your-rights#right-4"' in rendered.html
    assert rendered.links == ("your-rights",)
    english = render_markdown("See [rights](/guidance/your-rights).")
    assert 'href="/guidance/your-rights"' in english.html


def test_phone_numbers_and_email_addresses_are_isolated_for_right_to_left_text():
    rendered = render_markdown(
        "Call [0808 16 89 111](tel:08081689111) or [us](mailto:a@b.org).", "ar"
    )
    assert '<bdi><a href="tel:08081689111" class="govuk-link"' in rendered.html
    assert rendered.html.count("<bdi>") == 2 and rendered.html.count("</bdi>") == 2


def test_callouts():
    rendered = render_markdown("::: danger\nCall 999.\n:::\n\n::: information\nNote.\n:::\n")
    assert '<div class="app-callout app-callout--danger">' in rendered.html
    assert '<div class="app-callout app-callout--information">' in rendered.html


def test_tables_get_classes_and_lose_inline_alignment_styles():
    rendered = render_markdown("| a | b |\n|--:|---|\n| 1 | 2 |\n")
    assert 'class="govuk-table"' in rendered.html
    assert '<th class="govuk-table__header" scope="col">a</th>' in rendered.html
    assert "style=" not in rendered.html


def test_plain_text_for_search():
    rendered = render_markdown("## Court\n\nYou **may** need to go & give evidence.")
    assert rendered.text == "Court You may need to go & give evidence."


def test_a_parser_failure_shows_escaped_text_and_says_why():
    # Found by hypothesis: mdit-py-plugins' container rule indexes past the end of this input.
    rendered = render_markdown(">::: danger\n>")
    assert rendered.error and "IndexError" in rendered.error
    assert "&gt;::: danger" in rendered.html and "<blockquote" not in rendered.html


def test_first_use_of_a_glossary_abbreviation_links_to_its_explanation():
    terms = {"CPS": "cps", "NFA": "nfa"}
    body = "## The CPS\n\nThe CPS decides. Ask the CPS why, or [read](/guidance/x) about NFA.\n"
    rendered = render_markdown(body, "cy", terms)
    assert rendered.html.count('href="/cy/glossary#cps"') == 1  # first use only, not in headings
    assert '<h2 id="the-cps" class="govuk-heading-l">The CPS</h2>' in rendered.html
    assert 'href="/cy/glossary#nfa"' in rendered.html


def test_terms_inside_links_are_left_alone():
    rendered = render_markdown("See [the CPS page](/guidance/x).", "en", {"CPS": "cps"})
    assert "glossary" not in rendered.html
