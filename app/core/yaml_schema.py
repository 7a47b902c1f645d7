"""Hand-edited YAML data files checked by marshmallow schemas, every error named with its line.

A data file here (the Victims' Code rules, the support directory) is a mapping with one key
listing records, each a mapping with a unique ``id``. ``load_records`` reads the file with line
numbers (``app.core.yaml_lines``), refuses a repeated key, loads the records with the caller's
marshmallow schema and turns the first problem, in file order, into a ``YamlProblem`` carrying
the line, the message and the record it is in; the caller words it as its own error type.

The fields below give the messages an editor can act on (``unknown need 'hugs' in 'helps_with'``,
``'web' must be a web address starting https://``) and behave the same in every file: text is
non-empty with its spaces tidied, a list names one or more things and none twice, a whole number
is never a boolean, a closed vocabulary is checked with the word that is wrong. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Final

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields

from app.core.yaml_lines import LineDict, LineList, first_duplicate, line_at, load_with_lines

__all__ = [
    "ID",
    "Choice",
    "Date",
    "Flag",
    "Https",
    "Id",
    "Items",
    "LineField",
    "LineSchema",
    "Nested",
    "Pattern",
    "Text",
    "Whole",
    "YamlProblem",
    "load_records",
    "problems",
    "record_id",
    "whole",
]

# Stand-ins that ``problems`` words with the key they concern ("missing web, checked",
# "unknown key 'colour'"): marshmallow's own messages do not name the field.
MISSING: Final = "\0missing"
UNKNOWN: Final = "\0unknown"
ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HTTPS: Final = re.compile(r"^https://[^\s/]+\.[^\s]+$")
_LISTED: Final = 12  # a vocabulary this long or shorter is spelt out in its error message


class YamlProblem(ValueError):
    """The first problem in a data file: ``line`` (None when unknown), ``message`` and the raw
    ``record`` it is in (None for the file as a whole), for the caller's own error type."""

    def __init__(self, message: str, line: int | None, record: object = None) -> None:
        super().__init__(f"{line}: {message}")
        self.message = message
        self.line = line
        self.record = record


# --- Schemas and fields -------------------------------------------------------------------------


class LineSchema(Schema):
    """A mapping in a data file: unknown keys refused, missing ones listed (see ``problems``).

    ``error_messages`` (here and in subclasses) is a plain class attribute, as in marshmallow's
    own schemas: marshmallow reads it off the class but declares it an instance variable, so mypy
    refuses a ``ClassVar`` and ruff's RUF012 is silenced line by line."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": UNKNOWN, "type": "must be a mapping"}  # noqa: RUF012 (see above)


class _Required(fields.Field):
    """A missing key is listed by ``problems`` (unless the field gives its own ``required``
    message); a null where a value is due fails the field's own check, in its own words."""

    default_error_messages = {"required": MISSING}  # noqa: RUF012 (see LineSchema)

    def _validate_missing(self, value: Any) -> None:
        if value is fields.missing_ and self.required:
            raise self.make_error("required")


class Nested(_Required, fields.Nested):
    """A mapping inside a record, loaded by its own ``LineSchema``."""


class LineField(_Required):
    """A field of a data file; ``key`` is the key it was read from, for messages."""

    def key(self, attr: str | None) -> str:
        return attr or self.data_key or self.name or "?"


class Text(LineField):
    """Non-empty text, its runs of spaces and line breaks made one space."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"'{self.key(attr)}' must be non-empty text")
        return " ".join(value.split())


class Flag(LineField):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(f"'{self.key(attr)}' must be true or false")
        return value


def whole(value: object, low: int | None = 0, high: int | None = None) -> bool:
    """True for a whole number (never a boolean) from ``low`` to ``high`` (None: no limit)."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (low is None or low <= value)
        and (high is None or value <= high)
    )


class Whole(LineField):
    """A whole number from ``low`` to ``high``; ``message`` may use ``{key}`` and ``{value}``."""

    def __init__(self, message: str, low: int = 0, high: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message, self.low, self.high = message, low, high

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not whole(value, self.low, self.high):
            raise ValidationError(self.message.format(key=self.key(attr), value=repr(value)))
        return int(value)


class Pattern(LineField):
    """Text matching ``pattern`` once its surrounding spaces go. ``message`` may use ``{key}`` and
    ``{value}`` (the value's repr); ``numbers`` also takes a whole number as its digits."""

    def __init__(
        self, pattern: re.Pattern[str], message: str, *, numbers: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.pattern, self.message, self.numbers = pattern, message, numbers

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = str(value) if self.numbers and whole(value) else value
        if not isinstance(text, str) or not self.pattern.match(text.strip()):
            raise ValidationError(self.message.format(key=self.key(attr), value=repr(text)))
        return text.strip()


class Https(Pattern):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_HTTPS, "'{key}' must be a web address starting https://", **kwargs)


class Id(Pattern):
    def __init__(self, **kwargs: Any) -> None:
        message = "missing or bad id {value} (lower-case letters, digits and hyphens)"
        super().__init__(ID, message, required=True, **kwargs)


class Date(LineField):
    """A date written YYYY-MM-DD (YAML reads it as a date; a time of day is refused)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValidationError(f"bad {self.key(attr)} date {value!r} (YYYY-MM-DD)")
        return value


class Choice(LineField):
    """One word of a closed vocabulary (``Enum`` members come back as members). The message names
    the wrong word, the key when in a list, and the vocabulary when it is short."""

    def __init__(self, vocabulary: Collection[Any] | type[Enum], what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enum = vocabulary if isinstance(vocabulary, type) else None
        self.values = tuple(m.value for m in vocabulary) if self.enum else tuple(vocabulary)
        self.known = frozenset(self.values)
        self.what, self.listed = what, False  # listed: set by ``Items``

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            known = not isinstance(value, bool) and value in self.known
        except TypeError:  # an unhashable value (a list, a mapping) is no word of any vocabulary
            known = False
        if not known:
            where = f" in '{self.key(attr)}'" if self.listed else ""
            one_of = self.values if len(self.values) <= _LISTED else ()
            hint = f" (one of {', '.join(map(str, one_of))})" if one_of else ""
            raise ValidationError(f"unknown {self.what} {value!r}{where}{hint}")
        return self.enum(value) if self.enum else value


class Items(LineField):
    """One or more values (a lone value counts as one), each checked by ``inner``, none twice."""

    def __init__(self, inner: LineField, plural: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inner, self.plural = inner, plural
        if isinstance(inner, Choice):
            inner.listed = True

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> tuple[Any, ...]:
        key = self.key(attr)
        items = value if isinstance(value, list) else [] if value is None else [value]
        if not items or any(isinstance(item, (list, dict)) for item in items):
            raise ValidationError(f"'{key}' must list one or more {self.plural}")
        errors: dict[int, list[str]] = {}
        result = []
        for index, item in enumerate(items):
            try:
                result.append(self.inner.deserialize(item, key, data))
            except ValidationError as error:
                errors[index] = error.messages  # type: ignore[assignment]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]
        for index, item in enumerate(result):
            if item in result[:index]:  # on the repeat's own line
                word = getattr(item, "value", item)
                raise ValidationError({index: [f"'{key}' names {word!r} twice"]})
        return tuple(result)


def record_id(record: object) -> str | None:
    """The record's ``id`` if it is a mapping with a well-formed one."""
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str) and ID.match(value) else None


class _Records(fields.List):
    """The file's list of records (mappings loaded by ``Nested``), each id used once."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        errors: dict[int, Any] = {}
        seen: dict[str, int] = {}
        for index, raw in enumerate(value):
            identity = record_id(raw)
            if identity in seen:
                errors[index] = {"id": [f"duplicate id (first used on line {seen[identity]})"]}
            elif identity is not None:
                seen[identity] = getattr(raw, "line", 0)
        try:
            result = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as error:
            for index, messages in error.messages.items():  # type: ignore[union-attr]
                errors.setdefault(index, {}).update(messages)
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]
        return result


# --- Errors to lines ----------------------------------------------------------------------------


def _flatten(messages: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(messages, Mapping):
        for key, inner in messages.items():
            yield from _flatten(inner, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list):
        for inner in messages:
            yield from _flatten(inner, path)
    else:
        yield path, str(messages)


def problems(document: object, messages: Any) -> list[tuple[int, str, tuple[Any, ...]]]:
    """marshmallow's error messages for ``document`` as (line, message, path), in file order.

    Every missing key of one mapping makes one problem ("missing web, checked") on the line that
    refers to the mapping (a list item's, a key's); an unknown key is named on its own line.
    """
    found: list[tuple[int, str, tuple[Any, ...]]] = []
    missing: dict[tuple[Any, ...], list[str]] = {}
    for path, message in _flatten(messages):
        if message == MISSING:
            missing.setdefault(path[:-1], []).append(str(path[-1]))
        else:
            text = f"unknown key {path[-1]!r}" if message == UNKNOWN else message
            found.append((line_at(document, path), text, path))
    for parent, keys in missing.items():
        found.append((line_at(document, parent), "missing " + ", ".join(keys), parent))
    return sorted(found, key=lambda problem: problem[0])


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise YamlProblem(f"cannot read the file: {error}", None) from error
    try:
        return load_with_lines(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise YamlProblem(f"not valid YAML: {error.problem}", line) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"not valid YAML: {error}", None) from None


def load_records(path: Path, key: str, record: Schema) -> list[Any]:
    """Read ``path``, a mapping whose only key ``key`` lists records, and load each with the
    ``record`` schema (ids unique); raise ``YamlProblem`` for the first problem in the file."""
    document = _read(path)
    shape = f"the file must be a mapping with a '{key}' list"
    if not isinstance(document, LineDict) or not isinstance(document.get(key), LineList):
        raise YamlProblem(shape, 1)

    def record_at(at: tuple[Any, ...]) -> object:
        return document[key][at[1]] if len(at) > 1 and isinstance(at[1], int) else None

    repeated = first_duplicate(document)
    if repeated:
        at, line = repeated
        raise YamlProblem(f"duplicate key {at[-1]!r}", line, record_at(at))
    file_schema: Callable[[], Schema] = LineSchema.from_dict(
        {key: _Records(Nested(record), required=True)}
    )
    try:
        return file_schema().load(document)[key]  # type: ignore[no-any-return]
    except ValidationError as error:
        line, message, at = problems(document, error.messages)[0]
        raise YamlProblem(message, line, record_at(at)) from None
