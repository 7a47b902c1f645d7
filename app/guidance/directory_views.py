"""The anonymous support directory at /support-services: real services, filtered by what the
person needs, what happened, where they live in London and their language.

The filters travel in the query string (a GET form), so a filtered list has its own address that
can be bookmarked, shared and cached like any guidance page; nothing is stored and no cookie is
set. An unknown filter value shows the form again with an error, never a server error.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.accounts.policy import public
from app.directory.services import BOROUGHS, NEEDS, Service, find, load_cached
from app.guidance import bp
from app.guidance.checker_views import CRIME_CHOICES
from app.http_cache import cached_page
from app.i18n import enabled_languages, localized_route
from app.languages import KNOWN
from app.page_cache import not_cacheable

FILTERS = ("need", "crime", "borough", "language")
NEED_LABELS = {
    "emotional": _l("Emotional support and counselling"),
    "practical": _l("Practical help after a crime"),
    "safety": _l("Being safe, safety planning and refuges"),
    "court": _l("Help with court and giving evidence"),
    "reporting": _l("Reporting a crime, including without your name"),
    "health": _l("Physical and mental health"),
    "housing": _l("Housing and homelessness"),
    "money": _l("Money, debt and compensation"),
    "legal": _l("Legal advice"),
    "children": _l("Children and young people"),
    "bereavement": _l("Someone has died because of a crime"),
}
AREA_LABELS = {"national": _l("National"), "london": _l("All of London")}
ERRORS = {
    "need": _l("Choose what you need help with from the list"),
    "crime": _l("Choose what happened from the list"),
    "borough": _l("Choose a London borough from the list"),
    "language": _l("Choose a language from the list"),
}
assert set(NEED_LABELS) == set(NEEDS), "every need in the directory needs a page label"


def _choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "need": [(key, str(label)) for key, label in NEED_LABELS.items()],
        "crime": [(key, str(label)) for key, label in CRIME_CHOICES.items()],
        "borough": [(name, name) for name in BOROUGHS],
        "language": [(lang.code, lang.native_name) for lang in enabled_languages()],
    }


def _where(service: Service) -> str:
    if service.area == "borough":
        return ", ".join(service.boroughs)
    return str(AREA_LABELS[service.area])


def _ages(service: Service) -> str:
    low, high = service.age_min, service.age_max
    if high is None:
        return _("All ages") if low == 0 else _("%(min)s and over", min=low)
    if low == 0:
        return _("Under %(limit)s", limit=high + 1)
    return _("%(min)s to %(max)s", min=low, max=high)


def _languages(service: Service) -> list[tuple[str, str]]:
    """(code, name in that language) for each language the service speaks."""
    return [
        (code, KNOWN[code].native_name if code in KNOWN else code) for code in service.languages
    ]


@localized_route(bp, "/support-services")
@cached_page(args=FILTERS)
@public
def support_directory(lang: str):
    services = load_cached(current_app.config["CONTENT_DIR"] / "services.yaml")
    choices = _choices()
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in FILTERS:
        value = request.args.get(name, "").strip()
        if not value:
            continue
        if any(value == option for option, _label in choices[name]):
            chosen[name] = value
        else:
            errors[name] = str(ERRORS[name])
    if errors:
        not_cacheable()  # every misspelt value would make an entry
    results = (
        []
        if errors
        else find(
            services,
            need=chosen.get("need"),
            crime=chosen.get("crime"),
            borough=chosen.get("borough"),
            language=chosen.get("language"),
        )
    )
    count = ngettext("%(num)s service", "%(num)s services", len(results))
    return render_template(
        "guidance/support_directory.html",
        choices=choices,
        chosen=chosen,
        errors=errors,
        results=results,
        count=count,
        need_labels=NEED_LABELS,
        where=_where,
        ages=_ages,
        service_languages=_languages,
    )
