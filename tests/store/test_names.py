from __future__ import annotations

import pytest

from forcebridge.store.errors import InvalidValue
from forcebridge.store.names import check_name, split_service_path, typed_name


def test_a_plain_name_is_accepted_as_is() -> None:
    assert check_name("org", "Acme Corp.") == "Acme Corp."


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "must have 1 to 64 characters"),
        ("   ", "must have 1 to 64 characters"),  # no name, not one with spaces around it
        ("x" * 65, "must have 1 to 64 characters"),
        (" acme", "must not start or end with a space"),
        ("acme/west", "must not contain '/'"),
        ("acme\tcorp", "must not contain control characters"),
    ],
)
def test_a_name_people_could_not_type_or_address_is_refused(name: str, problem: str) -> None:
    with pytest.raises(InvalidValue, match=problem):
        check_name("service", name)


def test_a_service_path_splits_into_org_and_service() -> None:
    assert split_service_path("acme/support") == ("acme", "support")


@pytest.mark.parametrize("path", ["acme", "acme/", "/support", "acme/support/extra"])
def test_a_malformed_service_path_says_how_to_write_it(path: str) -> None:
    with pytest.raises(InvalidValue, match="must be written ORG/SERVICE"):
        split_service_path(path)


def test_a_long_name_is_quoted_by_its_start_and_its_length() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_name("connection", "n" * 500)
    assert str(refused.value) == (
        f"connection name {'n' * 40!r}... (500 characters) must have 1 to 64 characters"
    )


@pytest.mark.parametrize(("typed", "name"), [(None, None), (" eu ", "eu"), ("eu", "eu")])
def test_a_typed_name_is_none_when_not_given_and_loses_the_spaces_around_it(
    typed: str | None, name: str | None
) -> None:
    assert typed_name("connection", typed) == name


def test_a_typed_name_of_spaces_alone_is_refused_as_typed() -> None:
    with pytest.raises(InvalidValue, match="connection name '  ' must have 1 to 64 characters"):
        typed_name("connection", "  ")
