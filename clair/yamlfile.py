"""Safe YAML reading that keeps line numbers, so every error can name file and line."""
from __future__ import annotations

from typing import Any

import yaml

from .model import ContentError

MAX_YAML_NODES = 10_000  # far beyond any real front matter; stops "billion laughs" alias bombs


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases: writers never need them, bombs do."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "uses a YAML alias (*name); write the value out in full instead", event.start_mark
            )
        return super().compose_node(parent, index)


def load_mapping(text: str, file: str, first_line: int = 1) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML that must be a mapping; return it with the file line of each top-level key."""
    try:
        loader = _NoAliasLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + mark.line if mark else first_line
        raise ContentError(file, line, f"the settings block is not valid YAML: {_plain(err)}") from None
    except yaml.YAMLError as err:
        raise ContentError(file, first_line, f"the settings block is not valid YAML: {err}") from None
    except (ValueError, TypeError) as err:  # e.g. a date like 2026-13-45
        raise ContentError(file, first_line, f"a value in the settings block is not valid: {err}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            file, first_line, "the settings block must be a list of `key: value` lines, not a single value or a list"
        )
    key_lines = {}
    if node is not None and isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return data, key_lines


PLAIN_PROBLEMS = (  # YAML's wording -> what a writer should do
    ("found unexpected end of stream", "a quotation mark is opened but never closed"),
    ("could not find expected ':'", "a line is missing the `:` between a setting's name and its value"),
    ("cannot start any token", "a line is indented with a tab; indent with spaces, not tabs"),
    ("mapping values are not allowed here", "a value contains `: `; put the whole value in quotation marks"),
    ("but got '<stream end>'", "a list or group opened with [ or { is never closed"),
)


def _plain(err: yaml.MarkedYAMLError) -> str:
    """Turn YAML's parser wording into what the writer should fix."""
    problem = err.problem or "unexpected text"
    for wording, plain in PLAIN_PROBLEMS:
        if wording in problem:
            return plain
    return problem
