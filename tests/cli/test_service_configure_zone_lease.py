"""`service configure --timezone` and an activity push at once, on both backends: the change
decides when it takes effect from the latest day a push wrote, so it holds the pushes' lease
from that read until it commits, and is refused while a push holds it (docs/activities.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from forcebridge.cli import service_configure
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.engine import make_engine
from forcebridge.store.models import Lease, Service
from forcebridge.store.repositories.leases import release_lease, take_lease
from tests.cli.conftest import Cli, document
from tests.cli.pull_setup import connected_service

PUSH = "worker at elsewhere:1:1"
"""A push's holder: a process of another machine, so its lease is not freed as a dead one's."""
TTL = dt.timedelta(minutes=5)


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


@pytest.fixture
def store(cli_env: dict[str, str]) -> Iterator[Engine]:
    engine = make_engine(cli_env["FORCEBRIDGE_DATABASE_URL"])
    yield engine
    engine.dispose()


def shop_id(store: Engine) -> int:
    with Session(store) as session:
        return session.scalars(select(Service.id).where(Service.name == "shop")).one()


def activities_holder(store: Engine, service_id: int) -> str | None:
    """Who holds the service's activities lease (read only: on SQLite a write of another
    connection would wait for the command's pending one)."""
    with store.connect() as connection:
        return connection.scalar(
            select(Lease.holder).where(Lease.service_id == service_id, Lease.stream == "activities")
        )


def test_a_zone_change_is_refused_while_a_push_holds_the_lease_and_other_settings_are_not(
    cli: Cli, store: Engine, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--timezone", "Europe/Paris")
    before = document(cli("service", "configure", service, "--json"))
    assert take_lease(store, shop_id(store), "activities", PUSH, TTL)

    refused = cli("service", "configure", service, "--timezone", "Asia/Tokyo",
                  "--activities-every", "30", "--pull-every", "20", "--json")  # fmt: skip
    unchanged = document(cli("service", "configure", service, "--json"))
    others = document(cli("service", "configure", service, "--activities-every", "45",
                          "--timezone", "Europe/Paris", "--json"))  # fmt: skip
    still_held = activities_holder(store, shop_id(store))

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error == (
        f"nothing was saved: an activity push of {service} is running, and the service's time "
        "zone cannot change while it writes the days' Tasks; try again once it ends"
    )
    assert "an activity push of acme/shop is running" in " ".join(refused.stderr.split())
    assert unchanged == before
    # The zone it has already, with another setting: no change of days, so no lease needed.
    assert (others["activities_every_minutes"], others["timezone"]) == (45, "Europe/Paris")
    assert still_held == PUSH  # the refused change took nothing from the push


def test_once_the_push_ends_the_change_is_saved_holding_the_lease_until_it_commits(
    cli: Cli, store: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = connected_service(cli, sandbox, "--timezone", "Europe/Paris")
    service_id = shop_id(store)
    assert take_lease(store, service_id, "activities", PUSH, TTL)
    assert cli("service", "configure", service, "--timezone", "Asia/Tokyo").exit_code == 1
    assert release_lease(store, service_id, "activities", PUSH)
    held_while_reading: list[str | None] = []
    move = service_configure.move_service

    def moving(*args: Any) -> Any:
        held_while_reading.append(activities_holder(store, service_id))
        return move(*args)

    monkeypatch.setattr(service_configure, "move_service", moving)

    # After the pull settings were verified and written: the lease was taken before them.
    moved = document(cli("service", "configure", service, "--timezone", "Asia/Tokyo",
                         "--pull-every", "20", "--json"))  # fmt: skip

    assert moved["timezone"] == "Asia/Tokyo"
    assert moved["pull_every_minutes"] == 20
    [holder] = held_while_reading
    assert holder is not None and holder != PUSH
    assert activities_holder(store, service_id) is None  # released after the commit
