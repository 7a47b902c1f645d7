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

from marshmallow import ValidationError, post_load, validates_schema

from app.core.vocabulary import CRIMES
from app.core.yaml_lines import LineDict
from app.core.yaml_schema import (
    Choice,
    Date,
    Flag,
    Https,
    Id,
    Items,
    LineSchema,
    Nested,
    Pattern,
    Text,
    Whole,
    YamlProblem,
    load_records,
    record_id,
)

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
    "Barking and Dagenham",
    "Barnet",
    "Bexley",
    "Brent",
    "Bromley",
    "Camden",
    "City of London",
    "Croydon",
    "Ealing",
    "Enfield",
    "Greenwich",
    "Hackney",
    "Hammersmith and Fulham",
    "Haringey",
    "Harrow",
    "Havering",
    "Hillingdon",
    "Hounslow",
    "Islington",
    "Kensington and Chelsea",
    "Kingston upon Thames",
    "Lambeth",
    "Lewisham",
    "Merton",
    "Newham",
    "Redbridge",
    "Richmond upon Thames",
    "Southwark",
    "Sutton",
    "Tower Hamlets",
    "Waltham Forest",
    "Wandsworth",
    "Westminster",
)
CHANNELS: Final = ("email", "navigator", "none")  # none: people contact them themselves

_LANGUAGE: Final = re.compile(r"^[a-z]{2}$")
_PHONE: Final = re.compile(r"^\+?[0-9][0-9 ]{2,19}$")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


_NUMBER: Final = "bad {key} number {value} (digits and spaces, in quotes)"
_REFERRAL: Final = "bad referral: give channel (email or navigator) and, for email, address"
_AGES: Final = "bad ages: give {min: <years>, max: <years or null>}"


def _all_alone(crimes: tuple[str, ...]) -> None:
    if ALL in crimes and len(crimes) > 1:
        raise ValidationError("'crime_types' is either [all] or a list of crime types")


class _Referral(LineSchema):
    error_messages = {"type": _REFERRAL}  # noqa: RUF012 (see LineSchema)
    channel = Choice(CHANNELS, "referral channel", required=True)
    address = Text(allow_none=True)

    @validates_schema
    def _address(self, data: dict[str, Any], **_kwargs: Any) -> None:
        channel, address = data["channel"], data.get("address")
        if channel == "email" and not (address and _EMAIL.match(address)):
            raise ValidationError(
                "a referral by email needs the address the service publishes",
                "address" if address else "channel",
            )
        if channel != "email" and address is not None:
            raise ValidationError(
                f"a referral address is only for channel email, not {channel!r}", "address"
            )

    @post_load
    def _referral(self, data: dict[str, Any], **_kwargs: Any) -> Referral:
        return Referral(**data)


class _Ages(LineSchema):
    error_messages = {"type": _AGES, "unknown": _AGES}  # noqa: RUF012 (see LineSchema)
    min = Whole("bad ages: min {value} must be a whole number of years", high=120)
    max = Whole("bad ages: max {value} must be a whole number of years or null", allow_none=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        low, high = data.get("min", 0), data.get("max")
        if high is not None and high < low:
            raise ValidationError(f"bad ages: max {high} is below min {low}")

    @post_load
    def _limits(self, data: dict[str, Any], **_kwargs: Any) -> tuple[int, int | None]:
        return data.get("min", 0), data.get("max")


class _Service(LineSchema):
    error_messages = {"type": "each service must be a mapping"}  # noqa: RUF012 (see LineSchema)
    id = Id()
    name = Text(required=True)
    summary = Text(required=True)
    helps_with = Items(Choice(NEEDS, "need"), "needs", required=True)
    crime_types = Items(
        Choice((ALL, *CRIMES), "crime type"), "crime types", required=True, validate=_all_alone
    )
    area = Choice(AREAS, "area", required=True)
    boroughs = Items(Choice((ALL, *BOROUGHS), "borough"), "boroughs", required=True)
    languages = Items(
        Pattern(_LANGUAGE, "bad language code {value} (two letters, ISO 639-1, e.g. en)"),
        "language codes",
        required=True,
    )
    web = Https(required=True)
    self_refer = Text(required=True)
    referral = Nested(_Referral, required=True)
    sources = Items(Https(), "web addresses", required=True)
    checked = Date(required=True)
    interpreters = Flag(load_default=False)
    ages = Nested(_Ages, allow_none=True)
    phone = Pattern(_PHONE, _NUMBER, allow_none=True)
    text = Pattern(_PHONE, _NUMBER, allow_none=True)
    hours = Text(allow_none=True)

    @validates_schema
    def _where(self, data: dict[str, Any], **_kwargs: Any) -> None:
        area, boroughs = data["area"], data["boroughs"]
        if area == "borough" and ALL in boroughs:
            raise ValidationError("a borough service must name its boroughs, not [all]", "boroughs")
        if area != "borough" and boroughs != (ALL,):
            raise ValidationError(
                f"a {area} service covers every borough: give boroughs: [all]", "boroughs"
            )

    @post_load(pass_original=True)
    def _service(self, data: dict[str, Any], raw: LineDict, **_kwargs: Any) -> Service:
        age_min, age_max = data.pop("ages", None) or (0, None)
        return Service(**data, age_min=age_min, age_max=age_max, line=raw.line)


def load_services(path: Path = DEFAULT_SERVICES_PATH) -> tuple[Service, ...]:
    """Load and validate the directory; raise ``DirectoryError`` on the first problem."""
    path = Path(path)
    try:
        return tuple(load_records(path, "services", _Service()))
    except YamlProblem as problem:
        record = problem.record  # a service with no usable id is named '?'
        who = (record_id(record) or "?") if isinstance(record, dict) else None
        raise DirectoryError(path, problem.line or 0, who, problem.message) from None


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
