"""Property tests: whatever an editor types, the renderer returns HTML and never a script."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.content import render_markdown, sanitise

PIECES = [
    *"abc <>/=\"'`#*-_[]():!\n\t&;",
    "<script>",
    "</script>",
    "onclick=",
    "javascript:",
    "::: danger\n",
    ":::\n",
    "](tel:999)",
    "](/guidance/x)",
    "<img src=x onerror=",
    "ع",
    "ŵ",
    "## ",
    "[a",
    "| a |\n|---|\n",
]
markdownish = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)

ON_ATTRIBUTE = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(markdownish, st.sampled_from(["en", "cy", "ar"]))
def test_render_never_raises_and_never_emits_script(source, lang):
    html = render_markdown(source, lang).html
    assert "<script" not in html.lower()
    assert not ON_ATTRIBUTE.search(html)
    assert 'href="javascript:' not in html.lower()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_sanitise_is_idempotent_and_safe_on_any_text(text):
    once = sanitise(text)
    assert sanitise(once) == once
    assert "<script" not in once.lower()
    assert not ON_ATTRIBUTE.search(once)
