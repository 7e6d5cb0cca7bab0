"""YAML reading for configuration files: duplicate keys refused, line numbers kept.

PyYAML's safe loader silently keeps the last of two equal keys in a mapping (`quota: 2` then
`quota: 5` loads as 5). Configuration must never lose a line that way, so `load_all` refuses
such a file, naming the key, its path inside the document and both lines. Mappings come back as
`LineDict`, a dict that also knows the line it starts on (for messages about list entries).
`LoadReport` is what a loader of such files (programmes, holidays) tells it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class LineDict(dict):
    """A mapping read from YAML, with the (1-based) line it starts on."""

    line: int = 0


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: str, path: str, line: int, first_line: int):
        self.key, self.path, self.line, self.first_line = key, path, line, first_line
        super().__init__(f"{path or key}: 键“{key}”重复（第 {first_line} 行和第 {line} 行）")


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _key_text(node: Node) -> str:
    return str(node.value) if isinstance(node, ScalarNode) else f"<{node.tag}>"


def _check_duplicates(node: Node, path: str, seen: set[int]) -> None:
    if id(node) in seen:  # an alias to an anchor already walked (or a recursive one)
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                continue  # "<<" merges are allowed to be overridden by the mapping's own keys
            key = (key_node.tag, _key_text(key_node))
            line = key_node.start_mark.line + 1
            child = f"{path}.{key[1]}" if path else key[1]
            if key in first:
                raise DuplicateKeyError(key[1], child, line, first[key])
            first[key] = line
            _check_duplicates(value_node, child, seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicates(item, f"{path}[{index}]", seen)


def load_all(text: str) -> list:
    """Every document of `text`; raises DuplicateKeyError or another yaml.YAMLError."""
    loader = _Loader(text)
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            _check_duplicates(node, "", set())
            documents.append(loader.construct_document(node))
        return documents
    finally:
        loader.dispose()
