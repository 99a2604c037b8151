"""References between the subrequests of one composite request: `@{refAccount.id}`.

A later subrequest may name what an earlier one answered, in its URL or anywhere in its body:
`.name` reads a field of a JSON object and `[n]` an item of a list, so `@{refQuery.records[0].Id}`
is the first queried record's Id. A string that is nothing but one reference takes the value as
it is (a number stays a number); a reference inside a longer string is written into it as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from forcebridge.sandbox.decimals import plain

REFERENCE_ID = re.compile(r"[A-Za-z0-9_]+")
"""What a referenceId may hold: letters, digits and underscores."""
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")


class MissingReference(LookupError):
    """A reference whose subrequest has not answered, failed, or holds no such value."""

    def __init__(self, expression: str, reference_id: str, failed: bool) -> None:
        reason = (
            f"Provided referenceId ('{reference_id}') refers to a subrequest that failed."
            if failed
            else f"No value for {expression} found in {reference_id}."
        )
        super().__init__(f"Invalid reference specified. {reason}")
        self.reference_id = reference_id


def substitute(value: Any, answers: Mapping[str, Any], failed: frozenset[str]) -> Any:
    """`value` with every reference replaced by what it names among `answers` (the bodies of
    the subrequests answered so far, by referenceId); `failed` are those that answered an
    error, which no reference may use."""
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return _look_up(whole, answers, failed)
        return _REFERENCE.sub(lambda found: _text(_look_up(found, answers, failed)), value)
    if isinstance(value, list):
        return [substitute(item, answers, failed) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, answers, failed) for key, item in value.items()}
    return value


def _look_up(found: re.Match[str], answers: Mapping[str, Any], failed: frozenset[str]) -> Any:
    reference_id, path = found.group(1), found.group(2)
    expression = f"{reference_id}{path}"
    if reference_id in failed:
        raise MissingReference(expression, reference_id, failed=True)
    if reference_id not in answers:
        raise MissingReference(expression, reference_id, failed=False)
    value = answers[reference_id]
    for step in _STEP.finditer(path):
        name, index = step.group(1), step.group(2)
        if name is not None and isinstance(value, dict) and name in value:
            value = value[name]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            raise MissingReference(expression, reference_id, failed=False)
    if value is None or isinstance(value, dict | list):
        raise MissingReference(expression, reference_id, failed=False)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)
