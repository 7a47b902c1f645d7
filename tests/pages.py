"""Checks every HTML page a test fetches should pass, whatever the page."""

from __future__ import annotations

from collections import Counter

import html5lib
from html5lib.constants import namespaces

NS = {"h": namespaces["html"]}


def check_page(body: bytes | str) -> html5lib.treebuilders.etree.getETreeModule:
    """Parses strictly (any HTML error fails), and checks one <h1>, a <title> that starts with it,
    unique ids, <html lang dir>, no inline event handlers and no inline scripts but the one the CSP
    allows by hash."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    document = parser.parse(body)
    root = document
    assert root.get("lang"), "<html> has no lang"
    assert root.get("dir") in {"ltr", "rtl"}, "<html> has no dir"
    h1s = root.findall(".//h:h1", NS)
    assert len(h1s) == 1, f"expected one <h1>, found {len(h1s)}"
    h1_text = " ".join("".join(h1s[0].itertext()).split())
    title = " ".join("".join(root.find(".//h:title", NS).itertext()).split())
    assert title.removeprefix("Error: ").startswith(h1_text) or h1_text in title, (title, h1_text)
    ids = Counter(el.get("id") for el in root.iter() if el.get("id"))
    duplicated = [i for i, n in ids.items() if n > 1]
    assert not duplicated, f"duplicate ids: {duplicated}"
    for element in root.iter():
        handlers = [a for a in element.attrib if a.lower().startswith("on")]
        assert not handlers, f"inline event handler {handlers} on <{element.tag}>"
        if element.tag.endswith("}a") and (element.get("href") or "").lower().startswith(
            "javascript:"
        ):
            raise AssertionError("javascript: link")
    inline_scripts = [s for s in root.iter(f"{{{NS['h']}}}script") if not s.get("src")]
    assert len(inline_scripts) <= 1
    return root
