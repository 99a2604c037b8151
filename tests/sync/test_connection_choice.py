"""Choosing an org's connection: the named one, else the only one, else the caller says which."""

from __future__ import annotations

import pytest

from forcebridge.store.models import Connection
from forcebridge.sync.connection_choice import choose_connection
from forcebridge.sync.connection_errors import SeveralConnections, UnknownConnection


def connections(*names: str) -> list[Connection]:
    return [Connection(name=name) for name in names]


def test_the_named_connection_is_chosen_among_several() -> None:
    eu, us = connections("eu", "us")

    assert choose_connection("acme", [eu, us], "us") is us


def test_with_no_name_the_only_connection_is_chosen_and_none_while_there_is_none() -> None:
    (only,) = connections("eu")

    assert choose_connection("acme", [only], None) is only
    assert choose_connection("acme", [], None) is None


def test_several_and_none_named_is_refused_with_every_name() -> None:
    with pytest.raises(SeveralConnections, match=r"2 Salesforce connections \(eu, us\)") as refused:
        choose_connection("acme", connections("eu", "us"), None)

    assert refused.value.names == ["eu", "us"]


def test_an_unknown_name_is_refused_with_the_names_there_are_and_a_near_one() -> None:
    with pytest.raises(UnknownConnection, match=r"did you mean 'EU'\?") as refused:
        choose_connection("acme", connections("EU", "us"), "eu")

    assert refused.value.names == ["EU", "us"]
    with pytest.raises(UnknownConnection, match=r"'acme/nope' does not exist$"):
        choose_connection("acme", [], "nope")
