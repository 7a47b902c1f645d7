"""YAML with line numbers: a safe loader whose mappings and lists remember where they came from.

Data files edited by hand (the Victims' Code rules, the support directory) are validated at load,
and a useful error names the line to fix. PyYAML's plain loader forgets lines, and quietly keeps
the last of two equal keys; ``LineLoader`` records both, so a validator can point at the line and
refuse a repeated key rather than silently dropping the first value. No Flask here; the schemas
that check such files, and their errors' lines, are in ``app.core.yaml_schema``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

__all__ = ["LineDict", "LineList", "LineLoader", "first_duplicate", "line_at", "load_with_lines"]

Path = tuple[Any, ...]  # keys and list indexes from the document down to a value


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers its line, each key's line and any repeated keys."""

    line: int = 0
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]

    def line_of(self, key: Any) -> int:
        """The line of ``key`` in the file, or the mapping's own line if the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence that remembers its line and each item's line."""

    line: int = 0
    lines: list[int]


# The C parser when PyYAML has it (about five times faster); the constructors stay in Python.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_Base):  # type: ignore[misc]
    """A safe loader whose mappings and sequences record line numbers and repeated keys.

    PyYAML keeps the last of two equal keys without a word; in a hand-edited data file that would
    silently replace a value, so the loader notes them and the validator refuses them.
    """


def _construct_mapping(loader: LineLoader, node: MappingNode) -> LineDict:
    key_lines: dict[Any, int] = {}
    duplicates: list[tuple[Any, int]] = []
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode):
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in key_lines:
                duplicates.append((key, line))
            key_lines.setdefault(key, line)
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = key_lines
    mapping.duplicates = duplicates
    return mapping


def _construct_sequence(loader: LineLoader, node: SequenceNode) -> LineList:
    sequence = LineList(loader.construct_sequence(node, deep=True))
    sequence.line = node.start_mark.line + 1
    sequence.lines = [item.start_mark.line + 1 for item in node.value]
    return sequence


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _duplicates(value: object, path: Path) -> Iterator[tuple[Path, int]]:
    if isinstance(value, LineDict):
        for key, line in value.duplicates:
            yield (*path, key), line
        for key, child in value.items():
            yield from _duplicates(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _duplicates(child, (*path, index))


def first_duplicate(value: object) -> tuple[Path, int] | None:
    """The first repeated key anywhere inside ``value``: its path (ending with the key) and line."""
    return next(_duplicates(value, ()), None)


def line_at(document: object, path: Path, default: int = 1) -> int:
    """The line of the value at ``path`` in ``document``, as near as the file says.

    A key's line for a mapping's value, an item's line for a list's; a path that leaves the
    document (a missing key, ``_schema`` for the value itself) stays on the last line found, the
    line that refers to the value missing something. ``default`` when nothing on the path has one.
    """
    line, node = getattr(document, "line", 0) or default, document
    for step in path:
        if isinstance(node, LineDict) and step in node.key_lines:
            line, node = node.key_lines[step], node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line, node = node.lines[step], node[step]
        else:
            break
    return line


def load_with_lines(text: str) -> Any:
    """Parse YAML text; every mapping in the result is a ``LineDict``, every list a ``LineList``.

    Raises ``yaml.YAMLError`` (``yaml.MarkedYAMLError`` with a ``problem_mark`` when PyYAML knows
    where) on text that is not valid YAML.
    """
    # LineLoader is a safe loader (it only adds line numbers): no arbitrary objects.
    return yaml.load(text, Loader=LineLoader)  # noqa: S506  # nosec B506
