"""The content engine: Markdown guidance with front matter, rendered safely. No Flask in here."""

from app.content.check import check_content
from app.content.model import JOURNEY_SECTIONS, SECTIONS, Heading, Page, PageView, Problem, Rendered
from app.content.parse import body_hash, parse_page
from app.content.render import render_markdown, sanitise
from app.content.store import ContentStore

__all__ = [
    "JOURNEY_SECTIONS",
    "SECTIONS",
    "ContentStore",
    "Heading",
    "Page",
    "PageView",
    "Problem",
    "Rendered",
    "body_hash",
    "check_content",
    "parse_page",
    "render_markdown",
    "sanitise",
]
