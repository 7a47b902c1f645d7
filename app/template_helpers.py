"""Small template helpers shared by every page."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape


def phone(number: str) -> Markup:
    """A phone number as a link that dials it, isolated (<bdi>) so right-to-left text around it
    cannot reverse its digits' order."""
    digits = re.sub(r"[^\d+]", "", number)
    return Markup('<bdi><a class="govuk-link" href="tel:{}">{}</a></bdi>').format(digits, number)


def email_link(address: str) -> Markup:
    """An e-mail address as a link, isolated (<bdi>) like phone numbers."""
    return Markup('<bdi><a class="govuk-link" href="mailto:{}">{}</a></bdi>').format(
        address, address
    )


def isolate(value: str) -> Markup:
    """Wrap a reference or an e-mail address in <bdi> for right-to-left pages."""
    return Markup("<bdi>{}</bdi>").format(escape(value))


def init_app(app: Flask) -> None:
    # {% do rows.append(…) %}: a page builds the rows of a govukTable or govukSummaryList.
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(phone=phone, email_link=email_link)
    app.jinja_env.filters["bdi"] = isolate
