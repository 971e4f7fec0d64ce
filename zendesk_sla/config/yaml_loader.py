"""Reading the contract file strictly: a key given twice is an error (PyYAML keeps the last
one silently), dates stay text for the schema to check ("2026-13-45" is a key-path error,
not a crash), and only UTF-8 text is read."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and leaves timestamps as text."""


def _mapping(loader: StrictLoader, node: Node) -> dict[Any, Any]:
    assert isinstance(node, MappingNode)
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key: let the constructor say so
            break
        if duplicate:
            raise ConstructorError(
                None, None, f"duplicate key {key!r} (only one may be given)", key_node.start_mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=True)


def _text(loader: StrictLoader, node: Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _text)


def read_yaml(data: bytes) -> Any:
    """The document in `data`; raises UnicodeDecodeError, yaml.YAMLError or RecursionError."""
    text = data.decode("utf-8-sig")
    return yaml.load(text, Loader=StrictLoader)
