from __future__ import annotations

import string

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType

from forcebridge.sync.phone_numbers import e164

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
UNSUPPORTED_REGIONS = ["ZZ", "us", "001", ""]
COUNTRY_CODES = [str(code) for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)]

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
        ("1-415-555-0123", "US", ("+14155550123", "")),
        ("020 7946 0123", "GB", ("+442079460123", "")),
        ("+44 (0)20 7946 0123", "US", ("+442079460123", "")),
        ("06 12 34 56 78", "FR", ("+33612345678", "")),
        ("089 123456", "DE", ("+4989123456", "")),
        ("49 89 123456", "DE", ("+4989123456", "")),
        ("7 (812) 345-67-89", "RU", ("+78123456789", "")),
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


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        pytest.param("020 7946", "GB", id="too short without the national prefix, kept"),
        pytest.param("1 506 2345", "CA", id="local without the national prefix, in CA's lengths"),
        pytest.param(
            "7 800 555-35-35", "RU", id="country code, then 8 of the number, not a prefix"
        ),
        pytest.param("03-1234-5678", "JP", id="a national prefix the library may rewrite"),
        pytest.param(
            "01481 256789", "GG", id="a region sharing its country code, with other lengths"
        ),
    ],
)
def test_numbers_read_with_the_library_s_guesses_are_keyed_as_it_keys_them(
    raw: str, region: str
) -> None:
    assert e164(raw, region) == library_e164(raw, region)


def test_plain_numbers_are_keyed_without_the_library_s_costly_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    national_forms = [
        (phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), region)
        for region, number in EXAMPLES
        if region in ("GB", "DE", "FR", "NL", "CH", "AT", "BE", "SE", "IE", "US", "CA")
    ]
    keys = {reading: library_e164(*reading) for reading in national_forms}

    def no_parsing(raw: str, region: str) -> phonenumbers.PhoneNumber:
        raise AssertionError(f"{raw!r} was parsed")

    monkeypatch.setattr(phonenumbers, "parse", no_parsing)
    read = e164.__wrapped__
    assert read("(415) 555-0123", "US") == ("+14155550123", "")
    assert read(" +1 415.555.0123 ", "FR") == ("+14155550123", "")
    assert read("+44 20 7946 0123", "US") == ("+442079460123", "")
    assert read("020 7946 0123", "GB") == ("+442079460123", "")
    assert read("+44 (0)20 7946 0123", "US") == ("+442079460123", "")
    assert read("+49 (0)89 123456", "US") == ("+4989123456", "")
    assert read("1-415-555-0123", "US") == ("+14155550123", "")
    assert {reading: read(*reading) for reading in keys} == keys


HOME_NSNS = {
    home: [phonenumbers.national_significant_number(n) for region, n in EXAMPLES if region == home]
    for home in REGIONS
}


def national_prefixes(region: str) -> st.SearchStrategy[str]:
    """The region's national prefix as written, anything its pattern for parsing takes (carrier
    codes, area codes, alternative prefixes), or none."""
    metadata = PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    written = st.sampled_from(["", metadata.national_prefix or ""])
    pattern = metadata.national_prefix_for_parsing
    if not pattern:
        return written
    return written | st.from_regex(pattern, fullmatch=True, alphabet=string.digits)


NATIONAL_PREFIXES = {region: national_prefixes(region) for region in REGIONS}


def made_up(parts: tuple[str, str, str, int, int]) -> str:
    lead, country_code, national_prefix, length, subscriber = parts
    return lead + country_code + national_prefix + str(subscriber).zfill(20)[-length:]


def made_up_digits(home: str) -> st.SearchStrategy[str]:
    """Random digits after an international prefix, a country code and the home region's or
    another national prefix, or not."""
    home_code = str(phonenumbers.country_code_for_region(home))
    return st.tuples(
        st.sampled_from(["", "", "+", "+", "00", "011", "0011", "810", "8", "0", "1"]),
        st.sampled_from(["", home_code]) | st.sampled_from(COUNTRY_CODES),
        NATIONAL_PREFIXES[home] | st.sampled_from(["0", "1", "8", "06", "15"]),
        st.integers(1, 20),
        st.integers(0, 10**20 - 1),
    ).map(made_up)


def example_changed(country_code: int, parts: tuple[str, str, str, int]) -> str:
    nsn, lead, national_prefix, last_digits = parts
    return lead.format(cc=country_code, np=national_prefix) + nsn[:-4] + f"{last_digits:04}"


def example_digits(home: str) -> st.SearchStrategy[str]:
    """One of the home region's example numbers with other last digits, written after '+' and
    the country code, with or without the national prefix (also in parentheses), after the
    national prefix, an international prefix, the bare country code, or nothing."""
    home_code = phonenumbers.country_code_for_region(home)
    return st.tuples(
        st.sampled_from(HOME_NSNS[home]),
        st.sampled_from(
            [
                *("+{cc}", "+{cc}({np})", "+{cc}{np}", "{cc}", "{cc}{np}", "00{cc}", "011{cc}"),
                *("{np}", "{np}", "", "0", "1"),
            ]
        ),
        NATIONAL_PREFIXES[home],
        st.integers(0, 9999),
    ).map(lambda parts: example_changed(home_code, parts))


HOME_DIGITS = {region: made_up_digits(region) | example_digits(region) for region in REGIONS}
writing = st.tuples(
    st.sampled_from([" ", "-", ".", "(", ")", " - ", ") ", "  "]),
    st.integers(0, 2**40 - 1),
    st.sampled_from(["", "", " ", "\t", "\n  "]),
)
regions = st.sampled_from(REGIONS + UNSUPPORTED_REGIONS)


@st.composite
def plain_readings(draw: st.DrawFn) -> tuple[str, str]:
    """Digits as people write them, a separator between any two characters and blanks around,
    and the region they are read in: half of the time the one whose prefixes they carry."""
    home = draw(st.sampled_from(REGIONS))
    digits = draw(HOME_DIGITS[home])
    separator, where, edge = draw(writing)
    written = "".join(
        separator + char if where >> position & 1 else char for position, char in enumerate(digits)
    )
    region = home if draw(st.booleans()) else draw(regions)
    return edge + written + edge, region


@settings(max_examples=3000, deadline=None)
@given(plain_readings())
def test_plain_numbers_are_keyed_as_the_library_keys_them(reading: tuple[str, str]) -> None:
    raw, region = reading
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
