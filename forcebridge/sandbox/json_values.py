"""Request values as Salesforce's JSON parser reads them, and as its messages show them.

A yes-or-no in a request body (a checkbox, `allOrNone`, `haltOnError`, a Tooling field's
`required`) is JSON's `true` or `false`, or the text "true" or "false", which the parser reads
as those; any other value is refused whole, 400 JSON_PARSER_ERROR, never quietly taken for
false. A whole number (a Tooling field's `length`, a search's `overallLimit`) is a JSON
number without a fraction, or a text holding one, as the parser reads it; a boolean is no number
(though Python's `True == 1`), nor is `12.5`, `"ten"` or an object, and each is refused the same
way. A value a message names is shown as the request spelled it: JSON's `null` and `true`, never
Python's `None` and `True`. A JSON number keeps every digit it was written with, for a number
field to take them all (`read_json`), and an answer writes a decimal with every digit
(`encode_default`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson

from forcebridge.sandbox.decimals import json_number
from forcebridge.sandbox.errors import ApiError

#: The texts Salesforce's JSON parser reads as a boolean, as its own `true` and `false` are;
#: any other text (`"1"`, `"yes"`, `"FALSE"`) is refused.
BOOLEAN_TEXTS = {"true": True, "false": False}

_WHOLE_TEXT = re.compile(r"[+-]?[0-9]+")


class JsonFloat(float):
    """A JSON number with a fraction or an exponent: a float, as the rest of the parsed body
    expects, that keeps the `text` it was written with, so that a number field takes every
    digit (`123456789012.123456`) where the float alone keeps 17 (`123456789012.12346`)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> JsonFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number


def read_json(body: bytes) -> Any:
    """A request body as JSON, each number with a fraction a `JsonFloat`. orjson checks it
    first, so what is refused, and how, stays orjson's (`orjson.JSONDecodeError`); only the
    standard parser hands over a number's text."""
    orjson.loads(body)
    return json.loads(body, parse_float=JsonFloat)


def encode_default(value: object) -> orjson.Fragment:
    """What orjson cannot write by itself: a decimal (a number field's value) as a JSON number
    with every digit, and a request's `JsonFloat` as it was written."""
    if isinstance(value, Decimal):
        return orjson.Fragment(json_number(value))
    if isinstance(value, JsonFloat):
        return orjson.Fragment(value.text)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def shown(value: object) -> str:
    """A request's value as a message names it: a text as it is, anything else as JSON writes
    it (`null`, `true`, `12.5`)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def json_boolean(raw: object) -> bool | None:
    """`raw` read as a boolean, or None when the parser would refuse it."""
    if isinstance(raw, bool):
        return raw
    return BOOLEAN_TEXTS.get(raw) if isinstance(raw, str) else None


def json_whole(raw: object) -> int | None:
    """`raw` read as a whole number, or None when the parser would refuse it: `true` is no
    number, though Python counts it as 1."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str) and _WHOLE_TEXT.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


def cannot_deserialize(
    type_name: str, raw: object, fields: Sequence[str] | None = None
) -> ApiError:
    """The parser's refusal of a value that does not read as `type_name` (`boolean`, `date`)."""
    token, text = _json_token(raw)
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from {token} value {text} or request may "
        "be missing a required field",
        fields,
    )


def request_flag(body: Mapping[str, Any], key: str) -> bool:
    """The yes-or-no `key` of a request body: false when it is missing or null (as a Java
    boolean starts false), refused when it is no boolean."""
    raw = body.get(key)
    if raw is None:
        return False
    flag = json_boolean(raw)
    if flag is None:
        raise cannot_deserialize("boolean", raw)
    return flag


def request_whole(body: Mapping[str, Any], key: str) -> int | None:
    """The whole number `key` of a request body: None when it is missing, null or empty,
    refused when it is no whole number."""
    raw = body.get(key)
    if raw is None or raw == "":
        return None
    number = json_whole(raw)
    if number is None:
        raise cannot_deserialize("int", raw)
    return number


def _json_token(raw: object) -> tuple[str, str]:
    """The parser's name for the token `raw` was, and its text as the parser shows it."""
    if isinstance(raw, bool):
        return ("VALUE_TRUE" if raw else "VALUE_FALSE"), shown(raw)
    if isinstance(raw, int):
        return "VALUE_NUMBER_INT", shown(raw)
    if isinstance(raw, float):
        return "VALUE_NUMBER_FLOAT", repr(raw)
    if isinstance(raw, dict):
        return "START_OBJECT", "{"
    if isinstance(raw, list):
        return "START_ARRAY", "["
    return "VALUE_STRING", shown(raw)
