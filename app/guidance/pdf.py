"""A guidance page as a PDF, rendered by WeasyPrint and kept until the page changes."""

from __future__ import annotations

from flask import Response, current_app, render_template

from app.content import PageView
from app.documents.pdf import render_pdf


def page_pdf_response(view: PageView) -> Response:
    cache: dict = current_app.extensions.setdefault("hub_pdf_cache", {})
    key = (view.requested_lang, view.page.slug, view.page.content_hash)
    pdf = cache.get(key)
    if pdf is None:
        html = render_template("guidance/print.html", view=view)
        pdf = cache[key] = render_pdf(html)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{view.page.slug}.pdf"'
    return response
