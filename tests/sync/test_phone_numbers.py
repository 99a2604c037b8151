from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from forcebridge.sync.phone_numbers import e164

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
UNSUPPORTED_REGIONS = ["ZZ", "us", "001", ""]
COUNTRY_CODES = [str(code) for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)]


def library_e164(raw: str, region: str) -> tuple[str | None, str]:
    """The key as read before the fast path: the library's parser, nothing else."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, "is not a phone number"
    if not phonenumbers.is_possible_number(number):
        return None, f"is not a possible phone number in region {region}"
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), ""


@pytest.mark.parametrize(
    ("raw", "region", "key"),
    [
        ("(415) 555-0123", "US", ("+14155550123", "")),
        ("+1 415-555-0123", "GB", ("+14155550123", "")),
        ("+44 20 7946 0123", "US", ("+442079460123", "")),
        ("+49 (0)89 123456", "US", ("+4989123456", "")),
        ("07700 900123", "GB", ("+447700900123", "")),
        ("06 6982 0000", "IT", ("+390669820000", "")),
        ("call me", "US", (None, "is not a phone number")),
        ("+44 1", "US", (None, "is not a phone number")),
        ("415 555", "US", (None, "is not a possible phone number in region US")),
    ],
)
def test_numbers_are_keyed_in_e164_or_refused_with_the_reason(
    raw: str, region: str, key: tuple[str | None, str]
) -> None:
    assert e164(raw, region) == key


def test_plain_numbers_are_keyed_without_the_library_s_costly_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_parsing(raw: str, region: str) -> phonenumbers.PhoneNumber:
        raise AssertionError(f"{raw!r} was parsed")

    monkeypatch.setattr(phonenumbers, "parse", no_parsing)
    read = e164.__wrapped__
    assert read("(415) 555-0123", "US") == ("+14155550123", "")
    assert read(" +1 415.555.0123 ", "FR") == ("+14155550123", "")
    assert read("+44 20 7946 0123", "US") == ("+442079460123", "")


EXAMPLES = [
    (region, number)
    for region in REGIONS
    for number in (
        phonenumbers.example_number(region),
        phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE),
    )
    if number is not None
]
"""A fixed line and a mobile number of every region, as the library's metadata has them."""


def made_up(parts: tuple[str, str, str, int, int]) -> str:
    lead, country_code, national_prefix, length, subscriber = parts
    return lead + country_code + national_prefix + str(subscriber).zfill(20)[-length:]


def example_changed(parts: tuple[tuple[int | None, str], str, int]) -> str:
    (country_code, nsn), lead, last_digits = parts
    return lead.format(country_code) + nsn[:-4] + f"{last_digits:04}"


made_up_digits = st.tuples(
    st.sampled_from(["", "", "+", "+", "00", "011", "0011", "810", "8", "0", "1"]),
    st.sampled_from(["", *COUNTRY_CODES]),
    st.sampled_from(["", "", "0", "1", "8", "06", "15"]),
    st.integers(1, 20),
    st.integers(0, 10**20 - 1),
).map(made_up)
"""Random digits after an international or national prefix and a country code, or not."""
example_digits = st.tuples(
    st.sampled_from(
        [(n.country_code, phonenumbers.national_significant_number(n)) for _, n in EXAMPLES]
    ),
    st.sampled_from(["+{}", "+{}", "", "", "0", "1", "00{}", "011{}", "{}"]),
    st.integers(0, 9999),
).map(example_changed)
"""A region's example number with other last digits, written after '+', an international or
national prefix, the bare country code, or nothing."""
writing = st.tuples(
    st.sampled_from([" ", "-", ".", "(", ")", " - ", ") ", "  "]),
    st.integers(0, 2**40 - 1),
    st.sampled_from(["", "", " ", "\t", "\n  "]),
)


@st.composite
def plain_numbers(draw: st.DrawFn) -> str:
    """Digits as people write them: a separator between any two characters, around blanks."""
    digits = draw(made_up_digits | example_digits)
    separator, where, edge = draw(writing)
    written = "".join(
        separator + char if where >> position & 1 else char for position, char in enumerate(digits)
    )
    return edge + written + edge


regions = st.sampled_from(REGIONS + UNSUPPORTED_REGIONS)


@settings(max_examples=3000, deadline=None)
@given(plain_numbers(), regions)
def test_plain_numbers_are_keyed_as_the_library_keys_them(raw: str, region: str) -> None:
    assert e164(raw, region) == library_e164(raw, region)


other_text = st.text("0123456789+-. ()\t\u00a0xX#,;/*~eEtT\u0663\uff13", max_size=30) | st.text()
"""Extensions, letters, other digits and blanks, several '+', or anything."""


@settings(max_examples=500, deadline=None)
@given(other_text, regions)
def test_any_other_text_is_keyed_as_the_library_keys_it(raw: str, region: str) -> None:
    assert e164(raw, region) == library_e164(raw, region)


def written_forms(number: phonenumbers.PhoneNumber) -> set[str]:
    """The ways a CRM user types a number: national, international with '+' or with the US
    international prefix, E.164; with spaces, dashes or nothing between the groups."""
    forms = {
        phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        phonenumbers.format_out_of_country_calling_number(number, "US"),
    }
    spaced = {f" {form}\t" for form in forms}
    return forms | spaced | {form.replace(" ", sep) for form in forms for sep in ("", "-")}


def test_every_region_s_example_numbers_as_written_are_keyed_as_the_library_keys_them() -> None:
    differences = []
    for region, number in EXAMPLES:
        for raw in written_forms(number):
            for reading_region in (region, "US"):
                key, expected = e164(raw, reading_region), library_e164(raw, reading_region)
                if key != expected:
                    differences.append((raw, reading_region, key, expected))
    assert differences == []
