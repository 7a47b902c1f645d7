from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from jinja2_fragments.flask import render_block

from app.accounts.policy import public
from app.extensions import limiter
from app.guidance import bp
from app.guidance.labels import RIGHTS, SECTION_TITLES, STEP_SUMMARIES
from app.guidance.search import search
from app.guidance.service import content_store
from app.http_cache import cached_page
from app.i18n import localized_route


@bp.app_context_processor
def _labels() -> dict:
    return {"section_titles": SECTION_TITLES, "right_names": RIGHTS}


@localized_route(bp, "/")
@cached_page
@public
def home(lang: str):
    return render_template("guidance/home.html")


@localized_route(bp, "/journey")
@cached_page
@public
def journey(lang: str):
    return render_template(
        "guidance/journey.html", steps=content_store().journey(lang), summaries=STEP_SUMMARIES
    )


@localized_route(bp, "/guidance")
@cached_page
@public
def contents(lang: str):
    return render_template("guidance/contents.html", sections=content_store().contents(lang))


@localized_route(bp, "/glossary")
@cached_page
@public
def glossary(lang: str):
    entries = [(term, *term.explanation_in(lang)) for term in content_store().glossary]
    return render_template("guidance/glossary.html", entries=entries)


@localized_route(bp, "/guidance/<slug:slug>")
@cached_page
@public
def page(lang: str, slug: str):
    view = content_store().view(lang, slug)
    if view is None:
        abort(404)
    related = [v for v in (content_store().view(lang, s) for s in view.page.related) if v]
    return render_template("guidance/page.html", view=view, related=related)


@localized_route(bp, "/guidance/<slug:slug>.pdf")
@limiter.limit("30 per minute")
@public
def page_pdf(lang: str, slug: str):
    from app.guidance.pdf import (
        page_pdf_response,  # WeasyPrint is slow to import: only when a PDF is asked for
    )

    view = content_store().view(lang, slug)
    if view is None:
        abort(404)
    return page_pdf_response(view)


@localized_route(bp, "/search")
@limiter.limit("60 per minute")
@public
def search_page(lang: str):
    query = request.args.get("q", "")
    error = None
    results = []
    limit = current_app.config["SEARCH_MAX_QUERY_LENGTH"]
    if "\x00" in query:
        query = query.replace("\x00", "")
    if len(query) > limit:
        error = _("Search terms must be %(limit)s characters or fewer", limit=limit)
    elif query.strip():
        results = search(content_store(), lang, query)
    if error:
        status = error
    elif query.strip():
        status = ngettext("%(num)s page found", "%(num)s pages found", len(results))
    else:
        status = ""
    context = {"query": query, "results": results, "error": error, "status": status}
    if "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers:
        return render_block("guidance/search.html", "results", **context)
    return render_template("guidance/search.html", **context)
