"""Markdown to safe HTML with GOV.UK Frontend classes.

markdown-it parses with raw HTML switched off, and nh3 cleans the result anyway, so nothing an
editor writes can put a script, an event handler or an inline style on a page.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin

from app.content.model import Heading, Rendered

log = logging.getLogger(__name__)

CALLOUTS = ("danger", "warning", "information")
GUIDANCE_PREFIX = "/guidance/"

_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--l govuk-section-break--visible",
    "table_open": "govuk-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
}
_HEADING_CLASSES = {"h2": "govuk-heading-l", "h3": "govuk-heading-m", "h4": "govuk-heading-s"}

_ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "div",
    "bdi",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "a": {"href"},
    "th": {"scope"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}


def slugify(text: str) -> str:
    """Heading anchors that keep letters of any script (Arabic headings get Arabic anchors)."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower(), flags=re.UNICODE)
    return re.sub(r"[\s_]+", "-", text).strip("-") or "section"


def _callout_renderer(
    kind: str,
) -> Callable[[RendererProtocol, Sequence[Token], int, OptionsDict, EnvType], str]:
    def render(
        self: RendererProtocol,
        tokens: Sequence[Token],
        idx: int,
        _options: OptionsDict,
        _env: EnvType,
    ) -> str:
        if tokens[idx].nesting == 1:
            return f'<div class="app-callout app-callout--{kind}">\n'
        return "</div>\n"

    return render


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    anchors_plugin(md, min_level=2, max_level=4, slug_func=slugify)
    for kind in CALLOUTS:
        container_plugin(md, name=kind, render=_callout_renderer(kind))
    return md


_PARSER = _build_parser()


def _localise_href(href: str, lang: str) -> str:
    if href.startswith((GUIDANCE_PREFIX, "/glossary")) and lang != "en":
        return f"/{lang}{href}"
    return href


def _link_terms(children: list[Token], terms: dict[str, str], done: set[str]) -> list[Token]:
    """Link the first use in a page of each glossary abbreviation to its explanation."""
    if not terms:
        return children
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b")
    result: list[Token] = []
    in_link = 0
    for child in children:
        if child.type == "link_open":
            in_link += 1
        elif child.type == "link_close":
            in_link -= 1
        if child.type != "text" or in_link:
            result.append(child)
            continue
        position = 0
        for match in pattern.finditer(child.content):
            word = match.group(1)
            if word in done:
                continue
            done.add(word)
            if match.start() > position:
                result.append(Token("text", "", 0, content=child.content[position : match.start()]))
            opening = Token("link_open", "a", 1)
            opening.attrSet("href", f"/glossary#{terms[word]}")  # localised with other links
            result += [opening, Token("text", "", 0, content=word), Token("link_close", "a", -1)]
            position = match.end()
        if position < len(child.content):
            result.append(Token("text", "", 0, content=child.content[position:]))
    return result


def _decorate(
    tokens: list[Token],
    lang: str,
    links: list[str],
    headings: list[Heading],
    terms: dict[str, str] | None = None,
) -> None:
    """Give tokens their GOV.UK classes, localise internal links, and isolate phone numbers and
    e-mail addresses with <bdi> so that right-to-left text around them does not reorder them."""
    linked: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type == "inline" and i and tokens[i - 1].type != "heading_open" and token.children:
            token.children = _link_terms(token.children, terms or {}, linked)
        if token.type == "heading_open":
            token.attrSet("class", _HEADING_CLASSES.get(token.tag, "govuk-heading-s"))
            inline = tokens[i + 1]
            text = "".join(
                c.content for c in inline.children or () if c.type in {"text", "code_inline"}
            )
            headings.append(Heading(int(token.tag[1]), text, str(token.attrGet("id") or "")))
        elif token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        if token.type in {"th_open", "td_open"}:
            # Column alignment arrives as an inline style, which the CSP would block anyway.
            token.attrs.pop("style", None)
        if token.type == "th_open":
            token.attrSet("scope", "col")
        if token.children:
            children: list[Token] = []
            isolate_depth = 0
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("class", "govuk-link")
                    href = str(child.attrGet("href") or "")
                    if href.startswith(GUIDANCE_PREFIX):
                        links.append(href[len(GUIDANCE_PREFIX) :].split("#", 1)[0])
                    child.attrSet("href", _localise_href(href, lang))
                    if href.startswith(("tel:", "sms:", "mailto:")):
                        children.append(Token("html_inline", "", 0, content="<bdi>"))
                        isolate_depth += 1
                children.append(child)
                if child.type == "link_close" and isolate_depth:
                    children.append(Token("html_inline", "", 0, content="</bdi>"))
                    isolate_depth -= 1
            token.children = children


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )


def to_text(html: str) -> str:
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())


def render_markdown(source: str, lang: str = "en", terms: dict[str, str] | None = None) -> Rendered:
    """Render a page body for URLs in `lang` (internal links get that language's prefix).

    Never raises: if the parser (or a plugin) fails on some input, the text is shown as plain
    escaped paragraphs and `error` says why, so the checker can name the page."""
    env: dict[str, Any] = {}
    try:
        tokens = _PARSER.parse(source, env)
    except Exception as exc:  # a parser plugin bug must not take a page down
        log.warning("markdown could not be parsed: %r", exc)
        paragraphs = [p for p in source.split("\n\n") if p.strip()]
        html = "".join(f'<p class="govuk-body">{html_lib.escape(p)}</p>\n' for p in paragraphs)
        return Rendered(html=html, headings=(), text=to_text(html), links=(), error=repr(exc))
    links: list[str] = []
    headings: list[Heading] = []
    _decorate(tokens, lang, links, headings, terms)
    html = sanitise(_PARSER.renderer.render(tokens, _PARSER.options, env))
    return Rendered(html=html, headings=tuple(headings), text=to_text(html), links=tuple(links))
