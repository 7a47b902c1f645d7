"""The support directory: real support services, as data in ``content/services.yaml``.

This module loads and validates the file and filters it. Every problem in the file is reported as
a ``DirectoryError`` naming the line and the service (``services.yaml:12: service 'galop':
unknown need 'legal-aid'``), so a bad edit stops start-up with a message an editor can act on.
No Flask here: the anonymous page (``app/guidance/directory_views.py``) and, later, the referral
flow both call ``load_cached`` and ``find``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from app.core.vocabulary import CRIMES
from app.core.yaml_lines import LineDict, first_duplicate, load_with_lines

DEFAULT_SERVICES_PATH: Final = Path(__file__).resolve().parents[2] / "content" / "services.yaml"

# What a service helps with. The keys are the vocabulary of `helps_with`; the English labels here
# are documentation only (the page shows its own translated labels).
NEEDS: Final[dict[str, str]] = {
    "emotional": "Emotional support and counselling",
    "practical": "Practical help after a crime",
    "safety": "Safety planning, refuge, being safe now",
    "court": "Help through court and giving evidence",
    "reporting": "Reporting a crime, including anonymously",
    "health": "Physical and mental health",
    "housing": "Housing and homelessness",
    "money": "Money, debt and compensation",
    "legal": "Legal advice",
    "children": "Children and young people",
    "bereavement": "Bereaved by crime",
}
ALL: Final = "all"
AREAS: Final = ("borough", "london", "national")  # most local first: the order of results
# The 32 London boroughs and the City of London, spelt as the boroughs spell themselves.
BOROUGHS: Final = (
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City of London",
    "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey",
    "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea",
    "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge",
    "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth",
    "Westminster",
)  # fmt: skip
CHANNELS: Final = ("email", "navigator", "none")  # none: people contact them themselves

_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANGUAGE: Final = re.compile(r"^[a-z]{2}$")
_PHONE: Final = re.compile(r"^\+?[0-9][0-9 ]{2,19}$")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REQUIRED: Final = (
    "id", "name", "summary", "helps_with", "crime_types", "area", "boroughs", "languages", "web",
    "self_refer", "referral", "sources", "checked",
)  # fmt: skip
_OPTIONAL: Final = ("interpreters", "ages", "phone", "text", "hours")


class DirectoryError(ValueError):
    """The directory file is invalid. ``line`` and ``service_id`` say where."""

    def __init__(self, path: Path, line: int, service_id: str | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.service_id = service_id
        self.problem = problem
        who = f" service {service_id!r}:" if service_id else ""
        super().__init__(f"{path.name}:{line}:{who} {problem}")


@dataclass(frozen=True)
class Referral:
    """How the hub refers someone: by e-mail to a published address, ``navigator`` (a navigator
    uses the service's own phone line or web form), or ``none`` (people contact it themselves)."""

    channel: str
    address: str | None = None


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    summary: str
    helps_with: tuple[str, ...]
    crime_types: tuple[str, ...]  # ("all",) or a subset of CRIMES
    area: str  # one of AREAS
    boroughs: tuple[str, ...]  # ("all",) unless area == "borough"
    languages: tuple[str, ...]  # ISO 639-1 codes spoken directly
    interpreters: bool
    age_min: int
    age_max: int | None
    self_refer: str
    web: str
    referral: Referral
    sources: tuple[str, ...]
    checked: dt.date
    phone: str | None = None
    text: str | None = None
    hours: str | None = None
    line: int = 0

    def serves_age(self, age: int) -> bool:
        return self.age_min <= age and (self.age_max is None or age <= self.age_max)


class _Problem(Exception):
    """Internal: a validation failure at ``line``."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Reader:
    """Reads one service mapping, turning every mistake into a ``_Problem`` with a line."""

    def __init__(self, raw: LineDict) -> None:
        self.raw = raw

    def line_of(self, key: str) -> int:
        return self.raw.line_of(key)

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.raw.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise _Problem(f"'{key}' must be non-empty text", self.line_of(key))
        return " ".join(value.split())

    def words(self, key: str, allowed: Iterable[str], what: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not value:
            raise _Problem(f"'{key}' must be a list of one or more {what}s", self.line_of(key))
        known = set(allowed)
        for item in value:
            if not isinstance(item, str) or item not in known:
                raise _Problem(f"unknown {what} {item!r} in '{key}'", self.line_of(key))
        if len(set(value)) != len(value):
            raise _Problem(f"'{key}' names a {what} twice", self.line_of(key))
        return tuple(value)

    def https(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not re.match(r"^https://[^\s/]+\.[^\s]+$", value):
            raise _Problem(f"'{key}' must be a web address starting https://", self.line_of(key))
        return value

    def read(self, service_id: str) -> Service:
        repeated = first_duplicate(self.raw)
        if repeated:
            raise _Problem(f"duplicate key {repeated[0]!r}", repeated[1])
        unknown = sorted(set(self.raw) - set(_REQUIRED) - set(_OPTIONAL), key=str)
        if unknown:
            raise _Problem(f"unknown key {unknown[0]!r}", self.line_of(unknown[0]))
        missing = [key for key in _REQUIRED if key not in self.raw]
        if missing:
            raise _Problem("missing " + ", ".join(missing), self.raw.line)
        area, boroughs = self.where()
        age_min, age_max = self.ages()
        sources = self.raw["sources"]
        if not isinstance(sources, list) or not sources:
            raise _Problem("'sources' must list one or more web addresses", self.line_of("sources"))
        return Service(
            id=service_id,
            name=str(self.text("name")),
            summary=str(self.text("summary")),
            helps_with=self.words("helps_with", NEEDS, "need"),
            crime_types=self.crime_types(),
            area=area,
            boroughs=boroughs,
            languages=self.languages(),
            interpreters=self.flag("interpreters"),
            age_min=age_min,
            age_max=age_max,
            self_refer=str(self.text("self_refer")),
            web=self.https("web", self.raw["web"]),
            referral=self.referral(),
            sources=tuple(self.https("sources", source) for source in sources),
            checked=self.checked(),
            phone=self.number("phone"),
            text=self.number("text"),
            hours=self.text("hours", required=False),
            line=self.raw.line,
        )

    def crime_types(self) -> tuple[str, ...]:
        crimes = self.words("crime_types", (ALL, *CRIMES), "crime type")
        if ALL in crimes and len(crimes) > 1:
            raise _Problem("'crime_types' is either [all] or a list of crime types",
                           self.line_of("crime_types"))  # fmt: skip
        return crimes

    def where(self) -> tuple[str, tuple[str, ...]]:
        area = self.raw["area"]
        if area not in AREAS:
            raise _Problem(f"unknown area {area!r} (one of {', '.join(AREAS)})",
                           self.line_of("area"))  # fmt: skip
        boroughs = self.words("boroughs", (ALL, *BOROUGHS), "borough")
        if area == "borough" and ALL in boroughs:
            raise _Problem("a borough service must name its boroughs, not [all]",
                           self.line_of("boroughs"))  # fmt: skip
        if area != "borough" and boroughs != (ALL,):
            raise _Problem(f"a {area} service covers every borough: give boroughs: [all]",
                           self.line_of("boroughs"))  # fmt: skip
        return str(area), boroughs

    def languages(self) -> tuple[str, ...]:
        value = self.raw["languages"]
        if not isinstance(value, list) or not value:
            raise _Problem("'languages' must list one or more language codes",
                           self.line_of("languages"))  # fmt: skip
        for code in value:
            if not isinstance(code, str) or not _LANGUAGE.match(code):
                raise _Problem(f"bad language code {code!r} (two letters, ISO 639-1, e.g. en)",
                               self.line_of("languages"))  # fmt: skip
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            raise _Problem(f"'{key}' must be true or false", self.line_of(key))
        return value

    def ages(self) -> tuple[int, int | None]:
        value = self.raw.get("ages")
        if value is None:
            return 0, None
        line = self.line_of("ages")
        if not isinstance(value, dict) or not set(value) <= {"min", "max"}:
            raise _Problem("bad ages: give {min: <years>, max: <years or null>}", line)
        low, high = value.get("min", 0), value.get("max")
        if isinstance(low, bool) or not isinstance(low, int) or not 0 <= low <= 120:
            raise _Problem(f"bad ages: min {low!r} must be a whole number of years", line)
        if high is not None and (isinstance(high, bool) or not isinstance(high, int)):
            raise _Problem(f"bad ages: max {high!r} must be a whole number of years or null", line)
        if high is not None and high < low:
            raise _Problem(f"bad ages: max {high} is below min {low}", line)
        return low, high

    def number(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not _PHONE.match(value.strip()):
            raise _Problem(f"bad {key} number {value!r} (digits and spaces, in quotes)",
                           self.line_of(key))  # fmt: skip
        return value.strip()

    def referral(self) -> Referral:
        value = self.raw["referral"]
        line = self.line_of("referral")
        if not isinstance(value, LineDict) or not set(value) <= {"channel", "address"}:
            raise _Problem("bad referral: give channel (email or navigator) and, for email, "
                           "address", line)  # fmt: skip
        channel, address = value.get("channel"), value.get("address")
        line = value.line_of("channel")
        if channel not in CHANNELS:
            raise _Problem(f"unknown referral channel {channel!r} (one of {', '.join(CHANNELS)})",
                           line)  # fmt: skip
        if channel == "email":
            if not isinstance(address, str) or not _EMAIL.match(address):
                raise _Problem("a referral by email needs the address the service publishes",
                               value.line_of("address"))  # fmt: skip
            return Referral(channel, address)
        if address is not None:
            raise _Problem(f"a referral address is only for channel email, not {channel!r}",
                           value.line_of("address"))  # fmt: skip
        return Referral(str(channel))

    def checked(self) -> dt.date:
        value = self.raw["checked"]
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise _Problem(f"bad checked date {value!r} (YYYY-MM-DD)", self.line_of("checked"))
        return value


def _service_id(raw: LineDict) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not _ID.match(value):
        raise _Problem(f"missing or bad id {value!r} (lower-case letters, digits and hyphens)",
                       raw.line_of("id"))  # fmt: skip
    return value


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DirectoryError(path, 0, None, f"cannot read the file: {error}") from error
    try:
        return load_with_lines(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise DirectoryError(path, line, None, f"not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise DirectoryError(path, 0, None, f"not valid YAML: {error}") from None


def load_services(path: Path = DEFAULT_SERVICES_PATH) -> tuple[Service, ...]:
    """Load and validate the directory; raise ``DirectoryError`` on the first problem."""
    path = Path(path)
    document = _parse(path)
    if not isinstance(document, LineDict) or not isinstance(document.get("services"), list):
        raise DirectoryError(path, 1, None, "the file must be a mapping with a 'services' list")
    extra = sorted(set(document) - {"services"}, key=str)
    if extra:
        raise DirectoryError(path, document.line_of(extra[0]), None, f"unknown key {extra[0]!r}")
    if document.duplicates:
        key, line = document.duplicates[0]
        raise DirectoryError(path, line, None, f"duplicate key {key!r}")
    services: list[Service] = []
    seen: dict[str, int] = {}
    for raw in document["services"]:
        if not isinstance(raw, LineDict):
            raise DirectoryError(path, document.line_of("services"), None,
                                 "each service must be a mapping")  # fmt: skip
        service_id: str | None = None
        try:
            service_id = _service_id(raw)
            if service_id in seen:
                raise _Problem(f"duplicate id (first used on line {seen[service_id]})",
                               raw.line_of("id"))  # fmt: skip
            seen[service_id] = raw.line
            services.append(_Reader(raw).read(service_id))
        except _Problem as problem:
            raise DirectoryError(path, problem.line, service_id or "?", problem.message) from None
    return tuple(services)


def load_cached(path: Path = DEFAULT_SERVICES_PATH) -> tuple[Service, ...]:
    """``load_services``, read again only when the file's modification time changes."""
    path = Path(path).resolve()
    return _load_cached(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int) -> tuple[Service, ...]:
    return load_services(path)


def _rank(service: Service) -> tuple[int, str, str]:
    return AREAS.index(service.area), service.name.casefold(), service.id


def find(
    services: Sequence[Service],
    *,
    need: str | None = None,
    crime: str | None = None,
    borough: str | None = None,
    language: str | None = None,
    age: int | None = None,
) -> list[Service]:
    """The services that fit every filter given (None = any), most local first, then by name.

    A crime matches services for that crime and those for every crime; a borough matches that
    borough's own services and every London-wide and national one; a language matches services
    that speak it and any that can arrange an interpreter.
    """
    found = [
        s
        for s in services
        if (need is None or need in s.helps_with)
        and (crime is None or crime in s.crime_types or ALL in s.crime_types)
        and (borough is None or s.area != "borough" or borough in s.boroughs)
        and (language is None or language in s.languages or s.interpreters)
        and (age is None or s.serves_age(age))
    ]
    return sorted(found, key=_rank)


def by_id(services: Iterable[Service], service_id: str) -> Service | None:
    return next((s for s in services if s.id == service_id), None)
