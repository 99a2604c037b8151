"""The API's OpenAPI description read as the tools that use it read it: its schemas found, and
a real answer held against one with `jsonschema` (draft 2020-12, as OpenAPI 3.1 uses it). A
keyword JSON Schema does not know is a problem too, since a tool passes over it silently: a
schema that says `ge` where JSON Schema says `minimum` is caught."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated"})
"""Keywords that say something of a value but constrain none."""
KNOWN = frozenset(Draft202012Validator.VALIDATORS) | ANNOTATIONS

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """An ISO 8601 date and time, as the API writes them (jsonschema checks the format only
    with an extra package)."""
    return not isinstance(value, str) or dt.datetime.fromisoformat(value) is not None


def unknown_keywords(schema: Mapping[str, Any]) -> set[str]:
    """The keywords of `schema` itself that JSON Schema does not know."""
    return set(schema) - KNOWN


def schemas_in(document: Any, where: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every schema of an OpenAPI document (under `schema`, in `components/schemas`), each
    with the ones inside it, named by where it is."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            here = f"{where}/{key}"
            if key == "schema" or where.endswith("/components/schemas"):
                yield from _nested(value, here)
            else:
                yield from schemas_in(value, here)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from schemas_in(value, f"{where}/{index}")


def _nested(schema: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if not isinstance(schema, Mapping):
        return
    yield where, schema
    for name, inner in schema.get("properties", {}).items():
        yield from _nested(inner, f"{where}/properties/{name}")
    for index, inner in enumerate(schema.get("anyOf", [])):
        yield from _nested(inner, f"{where}/anyOf/{index}")
    for key in ("items", "additionalProperties"):
        yield from _nested(schema.get(key), f"{where}/{key}")


def resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema`, or what its `$ref` (`#/components/schemas/X`) points to."""
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def problems(document: Mapping[str, Any], schema: Mapping[str, Any], value: Any) -> list[str]:
    """What of `value` the schema (its `$ref`s read in `document`) does not allow, each named
    by where it is; [] if none."""
    rooted = {**schema, "components": document.get("components", {})}
    validator = Draft202012Validator(rooted, format_checker=_FORMATS)
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(value)]
