"""Rendering HTML to PDF with WeasyPrint, with no network access.

The fetcher refuses every URL: documents carry their CSS inline in <style> and use only the fonts
installed on the machine (Noto for Arabic, Urdu and Bengali shaping), so rendering a PDF can never
make a request to another host, nor read a file. A resource asked for anyway (an <img>, a
stylesheet <link>, a CSS url()) is refused with ResourceRefused, which WeasyPrint logs as a
warning; the PDF is made without it.
"""

from __future__ import annotations

from weasyprint import HTML, URLFetcher  # weasyprint.urls.URLFetcher


class ResourceRefused(ValueError):
    """A PDF asked for a resource by URL: rendering never fetches one."""


class NoFetching(URLFetcher):
    """WeasyPrint's fetcher interface (a URLFetcher with its own `fetch`), refusing everything.
    A plain function raised AttributeError inside WeasyPrint instead of this refusal."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: object = None) -> None:
        raise ResourceRefused(f"PDF rendering does not fetch resources ({url})")


def render_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=NoFetching(), base_url="/").write_pdf()
