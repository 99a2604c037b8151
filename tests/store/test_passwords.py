from __future__ import annotations

from forcebridge.store.passwords import hash_password, verify_password


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password("correct horse battery staple")

    assert verify_password("correct horse battery staple", stored)
    assert not verify_password("correct horse battery stapler", stored)


def test_the_same_password_hashes_differently_each_time_and_is_not_kept() -> None:
    first, second = hash_password("hunter22"), hash_password("hunter22")

    assert first != second
    assert "hunter22" not in first
    assert first.startswith("scrypt$")


def test_a_malformed_hash_verifies_nothing() -> None:
    for broken in ("", "scrypt$x", "md5$1$2$3$c2FsdA==$aGFzaA==", "scrypt$16384$8$1$!!$!!"):
        assert not verify_password("anything", broken)
