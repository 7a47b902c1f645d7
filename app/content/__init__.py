"""The content engine: Markdown guidance with front matter, rendered safely. No Flask in here."""

from .check import check_content
from .model import JOURNEY_SECTIONS, SECTIONS, Heading, Page, PageView, Problem, Rendered
from .parse import body_hash, parse_page
from .render import render_markdown, sanitise
from .store import ContentStore

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
