from __future__ import annotations

import pytest

from forcebridge.store.errors import InvalidValue
from forcebridge.store.names import check_name, split_service_path


def test_a_plain_name_is_accepted_as_is() -> None:
    assert check_name("org", "Acme Corp.") == "Acme Corp."


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "must have 1 to 64 characters"),
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
