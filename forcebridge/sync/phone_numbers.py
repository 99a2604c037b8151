"""A phone number's E.164 key, exactly as `phonenumbers` reads it, but cheap for plain numbers.

`phonenumbers.parse` costs some 50 µs a number, mostly generic text handling, and a first pull
reads mostly unique numbers, so no cache helps. Most stored numbers are plain, "(415) 555-0123",
"020 7946 0123", "+44 (0)20 7946 0123" or "1-415-555-0123": ASCII digits, spaces, '-', '.',
parentheses and one leading '+'. Those are read here with the library's own metadata and rules,
replaying the guesses `parse` takes about a national prefix (strip it, unless only the number
with it fits the region's pattern, or the rest is too short, of no possible length or only
possible locally) and about the region's country code written without '+'. Whatever replaying
would take the library's internals is left to `phonenumbers.parse`: an international prefix, a
national prefix that may hide a carrier code or be rewritten, a region whose possible lengths
differ from its country's main region (the public length test reads those), an unknown or
non-geographic country code, any other character.
tests/sync/test_phone_numbers.py compares both ways.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberDesc, ValidationResult

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
_POSSIBLE = frozenset({ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY})
"""The length tests `is_possible_number` passes."""
_PREFIX_PUT_BACK = frozenset(
    {
        ValidationResult.TOO_SHORT,
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
        ValidationResult.INVALID_LENGTH,
    }
)
"""The length tests of the rest after which `parse` keeps the national prefix it stripped."""


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
    """What reading a plain number takes from one region's metadata, its patterns compiled."""

    country_code: int
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    general: re.Pattern[str]
    """The region's general pattern: `parse` prefers whichever of two readings fits it."""
    replayable: bool
    """Whether `parse`'s guesses can be replayed here: the region rewrites no national prefix,
    and the public length test, which reads the lengths of the country code's main region, reads
    this region's."""


def _plain_e164(raw: str, region: str) -> tuple[str | None, str] | None:
    """What `_parsed_e164` says, when `raw` is plain and the library's reading of it can be
    replayed; None otherwise.

    For such a number `parse` skips the separators and surrounding blanks, then takes the digits
    after a '+' as country code and national number, or all of them as the region's national
    number, which may start with the country code; then it strips a national prefix.
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
    plan, number = read
    if len(number) < _MIN_NSN_LENGTH:
        return None, _NOT_A_NUMBER
    nsn = _without_national_prefix(plan, number)
    if nsn is None:
        return None
    if not _MIN_NSN_LENGTH <= len(nsn) <= _MAX_NSN_LENGTH:
        return None, _NOT_A_NUMBER
    if _length_test(plan.country_code, nsn) not in _POSSIBLE:
        return None, _not_possible(region)
    return f"+{plan.country_code}{nsn}", ""


_LENGTH_TESTS: dict[tuple[int, int], int] = {}
"""`is_possible_number_with_reason` by country code and number length: all it reads of a number."""


def _length_test(country_code: int, nsn: str) -> int:
    """The library's public length test, which checks the number's length against its country's
    main region, asked once per country code and length."""
    key = (country_code, len(nsn))
    result = _LENGTH_TESTS.get(key)
    if result is None:
        number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
        if nsn.startswith("0"):
            # Kept aside as `parse` keeps them: all leading zeros but a last digit.
            number.italian_leading_zero = True
            number.number_of_leading_zeros = min(len(nsn) - len(nsn.lstrip("0")), len(nsn) - 1)
        result = _LENGTH_TESTS[key] = phonenumbers.is_possible_number_with_reason(number)
    return result


def _without_national_prefix(plan: _Plan, number: str) -> str | None:
    """The national significant number `parse` keeps: the number without its national prefix,
    unless the rest is too short, of no possible length or only possible locally; None if left to
    the library."""
    rest = _strip_national_prefix(plan, number)
    if rest == number:
        return number
    if not rest:
        # Left to the library, or nothing left, which the public length test cannot be asked.
        return None
    return number if _length_test(plan.country_code, rest) in _PREFIX_PUT_BACK else rest


def _strip_national_prefix(plan: _Plan, number: str) -> str | None:
    """The number without a national prefix at its start, as `parse` strips it unless only the
    number with it fits the plan; None where the prefix may hide a carrier code or be rewritten."""
    match = None if plan.national_prefix is None else plan.national_prefix.match(number)
    if match is None:
        return number
    if not plan.replayable or any(match.groups()):
        return None
    rest = number[match.end() :]
    return number if _fits(plan, number) and not _fits(plan, rest) else rest


def _fits(plan: _Plan, number: str) -> bool:
    return plan.general.fullmatch(number) is not None


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
    """The region's plan and all digits, or what `parse` reads when they start with the region's
    country code; None when it would take some of them for an international prefix."""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None
    plan = _region_plan(region)
    if plan.international_prefix is not None and plan.international_prefix.match(digits):
        return None
    if digits.startswith(str(plan.country_code)):
        return _after_country_code(plan, digits)
    return plan, digits


def _after_country_code(plan: _Plan, digits: str) -> tuple[_Plan, str] | None:
    """What `parse` reads of digits starting with the region's own country code: the code, and
    the rest read in the code's main region, when the rest fits the region's plan and all digits
    do not, or when all are too long; else all digits, read in the region."""
    if not plan.replayable:
        return None
    rest = _strip_national_prefix(plan, digits[len(str(plan.country_code)) :])
    if rest is None:
        return None
    too_long = _length_test(plan.country_code, digits) == ValidationResult.TOO_LONG
    if too_long or (_fits(plan, rest) and not _fits(plan, digits)):
        return _region_plan(phonenumbers.region_code_for_country_code(plan.country_code)), rest
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
    metadata = _metadata(country_code, region)
    main = _metadata(country_code, phonenumbers.region_code_for_country_code(country_code))
    general = _general(metadata)
    assert general.national_number_pattern, f"phonenumbers has no general pattern for {region}"
    idd = metadata.international_prefix
    national = metadata.national_prefix_for_parsing
    return _Plan(
        country_code,
        international_prefix=None if idd is None else re.compile(idd),
        # `parse` ignores an empty national prefix, not an empty international one.
        national_prefix=re.compile(national) if national else None,
        general=re.compile(general.national_number_pattern),
        replayable=not metadata.national_prefix_transform_rule
        and _lengths(general) == _lengths(_general(main)),
    )


def _metadata(country_code: int, region: str) -> PhoneMetadata:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    assert metadata is not None, f"phonenumbers has no metadata for {region}"
    return metadata


def _general(metadata: PhoneMetadata) -> PhoneNumberDesc:
    assert metadata.general_desc is not None, f"phonenumbers has no general desc for {metadata.id}"
    return metadata.general_desc


def _lengths(desc: PhoneNumberDesc) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """All the length test reads of a region's metadata."""
    return desc.possible_length, desc.possible_length_local_only
