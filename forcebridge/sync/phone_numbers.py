"""A phone number's E.164 key, exactly as `phonenumbers` reads it, but cheap for plain numbers.

`phonenumbers.parse` costs some 50 µs a number, mostly generic text handling, and a first pull
reads mostly unique numbers, so no cache helps. Most stored numbers are plain, "(415) 555-0123"
or "+44 20 7946 0123": ASCII digits, spaces, '-', '.', parentheses and one leading '+'. Those
are read here with the library's own metadata and rules, as long as reading them takes none of
the library's guesses; whatever would (a national or international prefix to strip, the
region's country code written without '+', an unknown or non-geographic country code, any other
character) is left to `phonenumbers.parse`. tests/sync/test_phone_numbers.py compares both ways.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

_NOT_A_NUMBER = "is not a phone number"

_ASCII_WHITESPACE = " \t\n\r\x0b\x0c"
_SEPARATORS = b" -.()"
"""Deleted from the ASCII bytes: `str.translate` takes a four times slower path to delete."""
_MAX_PLAIN_LENGTH = 40
_MIN_PLAIN_DIGITS = 3
"""From three digits on, any plain text is viable to the library; with two, only bare digits."""
_MIN_NSN_LENGTH = 2
_MAX_NSN_LENGTH = 17
"""The library's limits on a national significant number."""
_MAX_COUNTRY_CODE_LENGTH = 3


@functools.lru_cache(maxsize=8192)
def e164(raw: str, region: str) -> tuple[str | None, str]:
    """`raw` in E.164 and "", or None and what is wrong with it; numbers without '+' are read in
    `region`'s plan. Cached: every service of a group, every run re-reading a record, and
    contacts sharing an office number read the same text again."""
    plain = _plain_e164(raw, region)
    return plain if plain is not None else _parsed_e164(raw, region)


def _parsed_e164(raw: str, region: str) -> tuple[str | None, str]:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, _NOT_A_NUMBER
    if not phonenumbers.is_possible_number(number):
        return None, _not_possible(region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def _not_possible(region: str) -> str:
    return f"is not a possible phone number in region {region}"


@dataclass(frozen=True)
class _Plan:
    """What reading a plain number takes from one country's metadata, its patterns compiled."""

    country_code: int
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None


def _plain_e164(raw: str, region: str) -> tuple[str | None, str] | None:
    """What `_parsed_e164` says, when `raw` is plain and the library would take its digits as
    written; None otherwise.

    For such a number `parse` skips the separators and surrounding blanks, then takes the digits
    after a '+' as country code and national significant number, or all of them as the region's
    national significant number.
    """
    if len(raw) > _MAX_PLAIN_LENGTH or not raw.isascii():
        return None
    text = raw.strip(_ASCII_WHITESPACE)
    digits = text.removeprefix("+").encode().translate(None, _SEPARATORS).decode()
    if len(digits) < _MIN_PLAIN_DIGITS or not digits.isdigit():
        return None
    read = _international(digits) if text.startswith("+") else _national(digits, region)
    if read is None:
        return None
    plan, nsn = read
    if len(nsn) < _MIN_NSN_LENGTH:
        return None, _NOT_A_NUMBER
    if plan.national_prefix is not None and plan.national_prefix.match(nsn):
        return None
    if len(nsn) > _MAX_NSN_LENGTH:
        return None, _NOT_A_NUMBER
    if not _is_possible(plan.country_code, nsn):
        return None, _not_possible(region)
    return f"+{plan.country_code}{nsn}", ""


_POSSIBLE: dict[tuple[int, int], bool] = {}
"""`is_possible_number` by country code and number length: all it reads of a number."""


def _is_possible(country_code: int, nsn: str) -> bool:
    """The library's `is_possible_number`, which only checks the number's length against its
    country's, asked once per country code and length."""
    key = (country_code, len(nsn))
    possible = _POSSIBLE.get(key)
    if possible is None:
        number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
        if nsn.startswith("0"):
            # Kept aside as `parse` keeps them: all leading zeros but a last digit.
            number.italian_leading_zero = True
            number.number_of_leading_zeros = min(len(nsn) - len(nsn.lstrip("0")), len(nsn) - 1)
        possible = _POSSIBLE[key] = phonenumbers.is_possible_number(number)
    return possible


def _international(digits: str) -> tuple[_Plan, str] | None:
    """The plan of the country code `parse` finds first at the start of digits written after '+',
    and the rest of them."""
    if digits.startswith("0"):
        return None
    for length in range(1, _MAX_COUNTRY_CODE_LENGTH + 1):
        country_code = int(digits[:length])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            plan = _country_plan(country_code)
            return None if plan is None else (plan, digits[length:])
    return None


def _national(digits: str, region: str) -> tuple[_Plan, str] | None:
    """The region's plan and all digits, unless `parse` would take some of them for an
    international prefix or the region's country code."""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None
    plan = _region_plan(region)
    if plan.international_prefix is not None and plan.international_prefix.match(digits):
        return None
    if digits.startswith(str(plan.country_code)):
        return None
    return plan, digits


@functools.cache
def _country_plan(country_code: int) -> _Plan | None:
    """The plan of the code's main region, as `parse` takes; None for a non-geographic code."""
    region = phonenumbers.region_code_for_country_code(country_code)
    if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    return _plan(country_code, region)


@functools.cache
def _region_plan(region: str) -> _Plan:
    return _plan(phonenumbers.country_code_for_valid_region(region), region)


def _plan(country_code: int, region: str) -> _Plan:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    assert metadata is not None, f"phonenumbers has no metadata for {region}"
    idd = metadata.international_prefix
    national = metadata.national_prefix_for_parsing
    return _Plan(
        country_code,
        international_prefix=None if idd is None else re.compile(idd),
        # `parse` ignores an empty national prefix, not an empty international one.
        national_prefix=re.compile(national) if national else None,
    )
