"""YAML with line numbers: a SafeLoader whose mappings remember where they came from.

Data files edited by hand (the Victims' Code rules, the support directory) are validated at load,
and a useful error names the line to fix. PyYAML's plain loader forgets lines, and quietly keeps
the last of two equal keys; ``LineLoader`` records both, so a validator can point at the line and
refuse a repeated key rather than silently dropping the first value. No Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

__all__ = ["LineDict", "LineLoader", "first_duplicate", "load_with_lines"]


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers its line, each key's line and any repeated keys."""

    line: int = 0
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]

    def line_of(self, key: Any) -> int:
        """The line of ``key`` in the file, or the mapping's own line if the key is absent."""
        return self.key_lines.get(key, self.line)


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings record line numbers and repeated keys.

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


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def first_duplicate(value: object) -> tuple[Any, int] | None:
    """The first repeated key anywhere inside ``value``, with its line."""
    if isinstance(value, LineDict):
        if value.duplicates:
            return value.duplicates[0]
        children: Iterable[object] = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = first_duplicate(child)
        if found:
            return found
    return None


def load_with_lines(text: str) -> Any:
    """Parse YAML text; every mapping in the result is a ``LineDict``.

    Raises ``yaml.YAMLError`` (``yaml.MarkedYAMLError`` with a ``problem_mark`` when PyYAML knows
    where) on text that is not valid YAML.
    """
    # LineLoader is a SafeLoader (it only adds line numbers): no arbitrary objects.
    return yaml.load(text, Loader=LineLoader)  # noqa: S506  # nosec B506
