"""Rendering HTML to PDF with WeasyPrint, with no network access.

The fetcher refuses every URL: documents carry their CSS inline in <style> and use only the fonts
installed on the machine (Noto for Arabic, Urdu and Bengali shaping), so rendering a PDF can never
make a request to another host.
"""

from __future__ import annotations

from weasyprint import HTML


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"PDF rendering does not fetch resources ({url})")


def render_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=_no_fetch, base_url="/").write_pdf()
