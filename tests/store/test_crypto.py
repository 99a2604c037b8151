from __future__ import annotations

import pytest

from forcebridge.store.crypto import Keyring
from forcebridge.store.errors import EncryptionError

OLD = "the-old-secret-key-retired-last-spring-0000"
NEW = "the-new-secret-key-current-since-this-fall-1"


def test_a_sealed_value_opens_to_the_plaintext_and_does_not_show_it() -> None:
    keyring = Keyring(NEW)
    sealed = keyring.encrypt("00Dxx0000001gPL!AQ4AQFa.token")

    assert "AQ4AQFa" not in sealed
    assert sealed.startswith(f"v1:{keyring.key_id}:")
    assert keyring.decrypt(sealed) == "00Dxx0000001gPL!AQ4AQFa.token"


def test_sealing_the_same_value_twice_gives_different_ciphertexts() -> None:
    keyring = Keyring(NEW)
    assert keyring.encrypt("same") != keyring.encrypt("same")


def test_after_rotation_old_values_still_open_and_new_ones_use_the_new_key() -> None:
    sealed_before = Keyring(OLD).encrypt("refresh-token")
    rotated = Keyring(NEW, retired=[OLD])

    assert rotated.decrypt(sealed_before) == "refresh-token"
    assert rotated.encrypt("x").startswith(f"v1:{Keyring(NEW).key_id}:")


def test_a_value_sealed_with_an_unconfigured_key_names_that_key() -> None:
    sealed = Keyring(OLD).encrypt("refresh-token")

    with pytest.raises(EncryptionError, match=f"sealed with key {Keyring(OLD).key_id}"):
        Keyring(NEW).decrypt(sealed)


def test_an_altered_value_fails_its_integrity_check() -> None:
    keyring = Keyring(NEW)
    sealed = keyring.encrypt("refresh-token")
    altered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]

    with pytest.raises(EncryptionError, match="integrity check"):
        keyring.decrypt(altered)


def test_plaintext_found_where_a_sealed_value_belongs_is_refused() -> None:
    with pytest.raises(EncryptionError, match="not a secret sealed by forcebridge"):
        Keyring(NEW).decrypt("plain-refresh-token")


def test_a_short_secret_key_is_refused_with_how_to_make_a_good_one() -> None:
    with pytest.raises(EncryptionError, match="has 8 characters; use at least 32"):
        Keyring("password")


def test_whitespace_around_a_key_is_not_part_of_it() -> None:
    """A key read from a secrets file keeps its newline; it is still the same key."""
    pasted = Keyring(f" {NEW}\n", retired=[f"{OLD}\t"])

    assert pasted.key_id == Keyring(NEW).key_id
    assert Keyring(NEW).decrypt(pasted.encrypt("refresh-token")) == "refresh-token"
    assert pasted.decrypt(Keyring(OLD).encrypt("refresh-token")) == "refresh-token"
