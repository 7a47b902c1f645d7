"""The shared part of the data files' validation: YAML with lines, marshmallow errors named with
their line, and the fields both the rules and the directory use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError, post_load, validates_schema

from app.core.yaml_lines import first_duplicate, line_at, load_with_lines
from app.core.yaml_schema import (
    Choice,
    Flag,
    Https,
    Id,
    Items,
    LineSchema,
    Nested,
    Text,
    Whole,
    YamlProblem,
    load_records,
    problems,
    record_id,
)


class Opening(LineSchema):
    error_messages = {"type": "bad opening: give days and, if not every day, hours"}  # noqa: RUF012
    days = Items(Choice(("mon", "tue", "wed"), "day"), "days", required=True)
    hours = Whole("bad opening: hours {value} must be a whole number", high=24)

    @post_load
    def _pair(self, data: dict[str, Any], **_kwargs: Any) -> tuple[Any, ...]:
        return data["days"], data.get("hours")


class Shop(LineSchema):
    error_messages = {"type": "each shop must be a mapping"}  # noqa: RUF012
    id = Id()
    name = Text(required=True)
    web = Https(required=True)
    open = Nested(Opening, required=True)
    kind = Choice(("grocer", "baker"), "kind")
    busy = Flag(load_default=False)

    @validates_schema
    def _busy_bakers(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["busy"] and data.get("kind") != "baker":
            raise ValidationError("only a baker is ever busy", "busy")


GOOD = """\
# Shops, for the tests.
shops:
  - id: corner
    name: Corner   shop
    web: https://corner.example.org
    open:
      days: [mon, tue]
      hours: 8
  - id: bakery
    name: Bakery
    kind: baker
    busy: true
    web: https://bakery.example.org
    open:
      days:
        - mon
        - wed
"""


def load(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    path = tmp_path / "shops.yaml"
    path.write_text(text, encoding="utf-8")
    return load_records(path, "shops", Shop())


def problem(tmp_path: Path, old: str, new: str) -> tuple[int | None, str, str | None]:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(YamlProblem) as caught:
        load(tmp_path, text)
    error = caught.value
    return error.line, error.message, record_id(error.record)


def line_of(fragment: str, text: str = GOOD) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_good_file_loads_with_text_tidied(tmp_path):
    corner, bakery = load(tmp_path, GOOD)
    assert corner["name"] == "Corner shop" and corner["open"] == (("mon", "tue"), 8)
    assert bakery["open"] == (("mon", "wed"), None) and bakery["busy"] is True


def test_an_error_on_a_nested_field_names_its_own_line(tmp_path):
    # In a flow list: the line of the list; in a block list: the item's own line.
    assert problem(tmp_path, "[mon, tue]", "[mon, sun]") == (
        line_of("days: [mon, tue]"),
        "unknown day 'sun' in 'days' (one of mon, tue, wed)",
        "corner",
    )
    text = GOOD.replace("        - wed\n", "        - thu\n")
    assert problem(tmp_path, "        - wed\n", "        - thu\n")[:2] == (
        line_of("- thu", text),
        "unknown day 'thu' in 'days' (one of mon, tue, wed)",
    )
    assert problem(tmp_path, "hours: 8", "hours: 25") == (
        line_of("hours: 8"),
        "bad opening: hours 25 must be a whole number",
        "corner",
    )


def test_a_schema_level_error_names_the_field_it_concerns(tmp_path):
    assert problem(tmp_path, "    kind: baker\n", "") == (
        line_of("busy: true") - 1,  # the line removed is above it
        "only a baker is ever busy",
        "bakery",
    )


def test_missing_keys_are_listed_together_on_the_line_that_refers_to_the_mapping(tmp_path):
    text = GOOD.replace("    name: Bakery\n", "").replace("    web: https://bakery.example", "  #")
    path = tmp_path / "shops.yaml"
    path.write_text(text)
    with pytest.raises(YamlProblem) as caught:
        load_records(path, "shops", Shop())
    assert (caught.value.line, caught.value.message) == (
        line_of("- id: bakery", text),
        "missing name, web",
    )
    # A nested mapping missing a key: the line of the key holding it, not of its first key.
    assert problem(tmp_path, "      days: [mon, tue]\n", "")[:2] == (
        line_of("    open:"),
        "missing days",
    )


def test_unknown_keys_and_wrong_shapes(tmp_path):
    assert problem(tmp_path, "    name: Bakery\n", "    name: Bakery\n    colour: blue\n") == (
        line_of("name: Bakery") + 1,
        "unknown key 'colour'",
        "bakery",
    )
    unknown = problem(tmp_path, "shops:\n", "colour: blue\nshops:\n")
    assert unknown == (2, "unknown key 'colour'", None)
    assert problem(tmp_path, "  - id: bakery\n", "  - 7\n  - id: bakery\n") == (
        line_of("- id: bakery"),
        "each shop must be a mapping",
        None,
    )
    line, message, _ = problem(
        tmp_path, "    open:\n      days: [mon, tue]\n      hours: 8\n", "    open: 9\n"
    )
    assert (line, message) == (line_of("    open:"), Opening.error_messages["type"])
    assert problem(tmp_path, "shops:\n", "stores:\n")[:2] == (
        1,
        "the file must be a mapping with a 'shops' list",
    )


def test_field_messages_name_the_key(tmp_path):
    assert problem(tmp_path, "name: Bakery", "name: ''")[1] == "'name' must be non-empty text"
    assert problem(tmp_path, "busy: true", "busy: often")[1] == "'busy' must be true or false"
    assert problem(tmp_path, "web: https://bakery.example.org", "web: null")[1] == (
        "'web' must be a web address starting https://"
    )
    assert problem(tmp_path, "[mon, tue]", "[mon, mon]")[1] == "'days' names 'mon' twice"
    assert problem(tmp_path, "[mon, tue]", "[]")[1] == "'days' must list one or more days"
    assert problem(tmp_path, "kind: baker", "kind: true")[1].startswith("unknown kind True")
    assert problem(tmp_path, "hours: 8", "hours: true")[1] == (
        "bad opening: hours True must be a whole number"
    )


def test_a_lone_value_counts_as_a_list_of_one(tmp_path):
    corner, _ = load(tmp_path, GOOD.replace("[mon, tue]", "tue"))
    assert corner["open"] == (("tue",), 8)


def test_a_repeated_id_names_the_first_use(tmp_path):
    assert problem(tmp_path, "id: bakery", "id: corner") == (
        line_of("- id: bakery"),
        "duplicate id (first used on line 3)",
        "corner",
    )
    assert problem(tmp_path, "id: bakery", "id: The Bakery")[1:] == (
        "missing or bad id 'The Bakery' (lower-case letters, digits and hyphens)",
        None,
    )


# --- Repeated keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "at", "record"),
    [
        ("    name: Bakery\n", "    name: Bakery\n    name: Bakers\n", "name", "Bakers", "bakery"),
        ("      hours: 8\n", "      hours: 8\n      hours: 9\n", "hours", "hours: 9", "corner"),
        ("# Shops, for the tests.\n", "shops: []\n", "shops", "  - id: corner", None),
    ],
)
def test_a_repeated_key_is_reported_on_its_own_line(tmp_path, old, new, key, at, record):
    text = GOOD.replace(old, new, 1)
    line = line_of(at, text) if record else line_of("shops:", text) + 1
    assert problem(tmp_path, old, new) == (line, f"duplicate key {key!r}", record)


def test_first_duplicate_gives_the_path_and_line():
    document = load_with_lines("a:\n  - b: 1\n    c: 2\n    b: 3\n")
    assert first_duplicate(document) == (("a", 0, "b"), 4)
    assert first_duplicate(load_with_lines("a: [1, 2]\n")) is None


# --- Lines ----------------------------------------------------------------------------------------


def test_line_at_follows_keys_and_items_and_stops_where_the_path_leaves_the_file():
    document = load_with_lines("top:\n  - x: 1\n    y:\n      - 5\n      - 6\n  - {x: 2}\n")
    assert line_at(document, ("top",)) == 1
    assert line_at(document, ("top", 0)) == 2
    assert line_at(document, ("top", 0, "y", 1)) == 5
    assert line_at(document, ("top", 1, "x")) == 6
    assert line_at(document, ("top", 0, "missing", 3)) == 2
    assert line_at(None, ("top",)) == 1


def test_problems_are_given_in_file_order():
    document = load_with_lines("shops:\n  - id: a\n    colour: red\n  - {id: b, size: 2}\n")
    messages = {"shops": {1: {"size": ["\0unknown"]}, 0: {"colour": ["\0unknown"]}}}
    assert [(line, text) for line, text, _ in problems(document, messages)] == [
        (3, "unknown key 'colour'"),
        (4, "unknown key 'size'"),
    ]


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(YamlProblem, match="cannot read the file") as caught:
        load_records(tmp_path / "nowhere.yaml", "shops", Shop())
    assert caught.value.line is None
    path = tmp_path / "shops.yaml"
    path.write_text("shops:\n  - id: [unclosed\n")
    with pytest.raises(YamlProblem, match="not valid YAML") as caught:
        load_records(path, "shops", Shop())
    assert caught.value.line is not None and caught.value.line >= 2
