"""axe-core on every guidance page in English, Welsh and Arabic, at phone and desktop widths."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.config import ROOT
from app.content import ContentStore
from e2e.conftest import screenshot

SLUGS = sorted(ContentStore(ROOT / "content", ["en"]).pages("en"))
PATHS = [
    "/",
    "/journey",
    "/guidance",
    "/glossary",
    "/search",
    "/search?q=court",
    "/search?q=zzzz",
    *[f"/guidance/{slug}" for slug in SLUGS],
]
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
axe = Axe()


@pytest.fixture(scope="module", params=list(WIDTHS))
def axe_page(request, browser):
    # axe is injected as a script, which the hub's CSP (rightly) forbids: bypass it for this check.
    context = browser.new_context(bypass_csp=True, viewport=WIDTHS[request.param])
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def assert_no_violations(page, lang: str, path: str) -> None:
    results = axe.run(page, options={"runOnly": RULE_TAGS})
    assert results.response["passes"], "axe did not run"
    violations = results.response["violations"]
    if violations:
        name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
        screenshot(page, f"axe-{lang}-{page.width_name}-{name}")
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


@pytest.mark.parametrize("lang", ["en", "cy", "ar"])
@pytest.mark.parametrize("path", PATHS)
def test_no_axe_violations(axe_page, live_server: str, lang: str, path: str):
    prefix = "" if lang == "en" else f"/{lang}"
    axe_page.goto(live_server + prefix + path)
    assert_no_violations(axe_page, lang, path)


# The pages translated into every language, checked in the seven other languages.
TRANSLATED = [
    "/",
    "/guidance/your-rights",
    "/guidance/are-you-safe-now",
    "/guidance/thinking-about-reporting",
    "/guidance/find-support",
    "/search?q=999",
]


@pytest.mark.parametrize("lang", ["ur", "pl", "ro", "bn", "so", "pt", "tr"])
@pytest.mark.parametrize("path", TRANSLATED)
def test_no_axe_violations_in_every_language(axe_page, live_server: str, lang: str, path: str):
    axe_page.goto(f"{live_server}/{lang}{path}")
    assert axe_page.locator("html").get_attribute("lang") == lang
    assert_no_violations(axe_page, lang, path)
