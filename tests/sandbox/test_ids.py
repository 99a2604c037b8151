from __future__ import annotations

import pytest

from forcebridge.sandbox import ids


def test_checksum_matches_a_real_salesforce_id() -> None:
    # The 15- and 18-character forms Salesforce documents for the same record.
    assert ids.checksum("00300000003T2PG") == "AA0"
    assert ids.normalize("00300000003T2PG") == "00300000003T2PGAA0"


def test_made_ids_carry_the_key_prefix_and_a_valid_checksum() -> None:
    made = [ids.make_id("003", n) for n in (1, 61, 62, 10**9)]
    assert all(len(i) == 18 and i.startswith("003") for i in made)
    assert all(ids.normalize(i) == i for i in made)
    assert len(set(made)) == len(made)


def test_made_ids_sort_in_creation_order() -> None:
    made = [ids.make_id("001", n) for n in range(1, 200)]
    assert sorted(made) == made


def test_a_15_character_id_gains_its_checksum() -> None:
    assert ids.normalize("0015g00000AbCdE") == "0015g00000AbCdE" + ids.checksum("0015g00000AbCdE")


def test_an_18_character_id_is_accepted_in_any_letter_case() -> None:
    real = ids.make_id("003", 987_654_321_123)
    assert ids.normalize(real.lower()) == real
    assert ids.normalize(real.upper()) == real


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "003000000000001AA",  # 17 characters
        "00300000000-001AAA",  # not base 62
        "00300000003T2PGZZZ",  # a checksum character outside its alphabet
        "00300000003T2PGAA1",  # a checksum that does not match the body
    ],
)
def test_malformed_ids_are_refused(value: str) -> None:
    assert ids.normalize(value) is None


def test_random_ids_differ_and_are_well_formed() -> None:
    first, second = ids.random_id("01g"), ids.random_id("01g")
    assert first != second
    assert ids.normalize(first) == first and first.startswith("01g")
