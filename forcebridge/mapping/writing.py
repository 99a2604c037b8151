"""Writing the product's values as Salesforce takes them: the converters of an export.

Each prospect value is spelled as Salesforce reads it for the target field (datetimes in its
own UTC spelling, numbers rounded as it rounds on save, so a value read back compares equal)
and checked against what the field allows (length, email syntax, a restricted picklist's
values, digits), so a value Salesforce would refuse is refused here, naming the field, before
anything is written for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email

from forcebridge.mapping.compatibility import export_mismatch, unsupported
from forcebridge.mapping.converters import (
    Converted,
    FieldConverter,
    Refused,
    Step,
    as_text,
    chained,
    date_as_datetime,
    one_of,
)
from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import UnsupportedField
from forcebridge.mapping.local_fields import LocalField
from forcebridge.mapping.reading import FAMILY_READERS


def write_datetime(value: dt.datetime) -> str:
    """Salesforce's own spelling, in UTC (what it stores and returns), so a value read back
    for `fill_empty` compares equal to the one written."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def write_time(value: dt.time) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _text_for(target: SalesforceField) -> Step:
    def text(value: Any) -> str:
        written = as_text(value).strip()
        if target.length and len(written) > target.length:
            raise Refused(
                f"has {len(written):,} characters; {target.name} holds at most {target.length:,}"
            )
        return written

    return text


def _email(value: str) -> str:
    """Syntax only, as Salesforce checks; `.test` addresses (sandbox and demo data) pass.
    Salesforce's email fields take ASCII addresses only (INVALID_EMAIL_ADDRESS otherwise), so
    an internationalized one is refused here, before anything is written for it."""
    if not value.isascii():
        raise Refused("is not an email address Salesforce accepts: it has characters outside ASCII")
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise Refused(f"is not an email address ({exc})") from None
    return value


def _multipicklist(check: Step) -> Step:
    def each(value: str) -> str:
        parts = [part.strip() for part in value.split(";") if part.strip()]
        for part in parts:
            try:
                check(part)
            except Refused as refused:
                raise Refused(f"holds {part!r}, which {refused}") from None
        return ";".join(parts)

    return each


_LONG_DIGITS = 18
"""The most digits a Salesforce whole-number field (a `long`) holds."""


def _whole_number(target: SalesforceField) -> Step:
    digits = target.digits or _LONG_DIGITS

    def whole(value: Decimal) -> int:
        if value != value.to_integral_value():
            raise Refused(f"is not a whole number, which {target.name} needs")
        # By its exponent, before `int`: `1E+999999999` would not fit in memory as an int.
        if value.adjusted() >= digits:
            raise Refused(f"has more than the {digits} digits {target.name} holds")
        return int(value)

    return whole


def _decimal_for(target: SalesforceField) -> Step:
    """Rounded to the field's scale, half up, as Salesforce rounds a value on save: what is sent
    is what is kept, so a value read back compares equal and an export run again finds it
    unchanged. Too many whole digits is refused."""
    integer_digits = target.precision - target.scale if target.precision else None
    step = Decimal(1).scaleb(-target.scale) if target.precision else None

    def fits(value: Decimal) -> Decimal:
        if integer_digits is not None and value.adjusted() >= integer_digits:
            raise Refused(f"has more than the {integer_digits} whole digits {target.name} holds")
        return value

    def decimal(value: Decimal) -> Decimal:
        # Checked first too: a value far too large would not round within Decimal's precision.
        fits(value)
        return value if step is None else fits(value.quantize(step, rounding=ROUND_HALF_UP))

    return decimal


def _write_steps(target: SalesforceField) -> list[Step]:
    kind = target.type
    if kind in ("int", "long"):
        return [_whole_number(target)]
    if kind in ("double", "currency", "percent"):
        return [_decimal_for(target)]
    if kind == "boolean":
        return []
    if kind == "date":
        return [lambda value: value.isoformat()]
    if kind == "datetime":
        return [date_as_datetime, write_datetime]
    if kind == "time":
        return [write_time]
    steps = [_text_for(target)]
    if kind == "email":
        steps.append(_email)
    if kind in ("picklist", "multipicklist") and target.restricted_picklist:
        check = one_of(target.picklist_values, target.name)
        steps.append(_multipicklist(check) if kind == "multipicklist" else check)
    return steps


def export_converter(source: LocalField, target: SalesforceField) -> FieldConverter:
    """Converts `source`'s prospect values into JSON values Salesforce accepts for `target`.

    Too-long text and values a restricted picklist refuses raise rather than truncate: the
    prospect's export fails with the field named, where a pull would keep a shortened value.
    """
    refusal = unsupported(target) or export_mismatch(source, target)
    if refusal is not None:
        raise UnsupportedField(refusal)
    reader = FAMILY_READERS[source.type.family]
    return FieldConverter(target.name, chained(reader, *_write_steps(target)), None, target.name)


def convert_for_export(value: Any, source: LocalField, target: SalesforceField) -> Converted:
    return export_converter(source, target)(value)
