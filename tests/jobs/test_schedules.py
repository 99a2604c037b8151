from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.jobs.policy import (
    CLAIM_HOLD,
    FailureKind,
    ScheduleState,
    StreamFailure,
    after_failure,
)
from forcebridge.jobs.schedules import (
    Claim,
    after_checking,
    claim_due,
    is_abandoned,
    is_current,
    is_owed,
    reconcile_schedules,
    release_claim,
    retry_streams_now,
    save_state,
    service_schedules,
)
from forcebridge.store.engine import make_engine
from forcebridge.store.models import ConnectionStatus, PullObjects, Service
from forcebridge.store.repositories.leases import release_lease, take_lease
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import create_service

T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)
ALL_STREAMS = ["activities", "pull:Contact", "pull:Lead"]


def _schedules(engine: Engine, service_id: int) -> dict[str, ScheduleState]:
    with engine.connect() as connection:
        return service_schedules(connection, service_id)


def _reconcile(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        reconcile_schedules(connection, now)


def _claim(engine: Engine, now: datetime, limit: int = 100) -> list[Claim]:
    with engine.begin() as connection:
        return claim_due(connection, now, limit)


def test_a_connected_service_gets_a_schedule_per_stream_due_at_once(
    engine: Engine, session: Session, service_id: int
) -> None:
    create_service(session, get_org(session, "acme"), "no-connection-yet")
    session.commit()

    _reconcile(engine, T0)

    schedules = _schedules(engine, service_id)
    syncs = {name: s for name, s in schedules.items() if name != "reconcile"}
    assert sorted(syncs) == ALL_STREAMS
    assert all(s.next_run_at == T0 and s.enabled for s in syncs.values())
    assert schedules["pull:Contact"].interval == timedelta(minutes=5)
    assert schedules["activities"].interval == timedelta(hours=1)
    # The first pull reads everything: the first reconciliation waits a day.
    assert schedules["reconcile"].next_run_at == T0 + timedelta(days=1)
    assert schedules["reconcile"].interval == timedelta(days=1)
    assert _claim(engine, T0) != []
    assert {c.service_id for c in _claim(engine, T0 + CLAIM_HOLD * 2)} == {service_id}


def test_schedules_follow_changed_settings(
    engine: Engine, session: Session, service_id: int
) -> None:
    _reconcile(engine, T0)
    service = session.get_one(Service, service_id)
    service.pull_objects = PullObjects.CONTACTS
    service.activities_interval_minutes = 15
    session.commit()

    _reconcile(engine, T0 + timedelta(minutes=1))

    schedules = _schedules(engine, service_id)
    assert not schedules["pull:Lead"].enabled
    assert schedules["activities"].interval == timedelta(minutes=15)
    assert schedules["activities"].next_run_at == T0 - timedelta(minutes=45)

    service.pull_objects = PullObjects.BOTH
    session.commit()
    _reconcile(engine, T0 + timedelta(days=2))
    assert _schedules(engine, service_id)["pull:Lead"].enabled
    assert _schedules(engine, service_id)["pull:Lead"].next_run_at == T0 + timedelta(days=2)


def test_a_claim_moves_the_row_out_of_reach_until_the_claim_lapses(
    engine: Engine, service_id: int
) -> None:
    _reconcile(engine, T0)

    first = _claim(engine, T0, limit=1)
    rest = _claim(engine, T0)

    assert len(first) == 1
    assert sorted(c.stream for c in first + rest) == ALL_STREAMS
    assert _claim(engine, T0 + CLAIM_HOLD - timedelta(seconds=1)) == []
    assert all(c.token == T0 + CLAIM_HOLD for c in first)
    assert len(_claim(engine, T0 + CLAIM_HOLD)) == 2  # one of the service's pulls a batch


def test_a_service_s_two_pulls_are_claimed_one_after_the_other(
    engine: Engine, service_id: int
) -> None:
    """They would each make a contact of a person who is both a Lead and a Contact."""
    _reconcile(engine, T0)
    (contact,) = [c for c in _claim(engine, T0) if c.stream.startswith("pull")]
    assert take_lease(engine, service_id, contact.stream, "runner", timedelta(minutes=1), now=T0)

    while_running = _claim(engine, T0 + timedelta(seconds=5))
    assert release_lease(engine, service_id, contact.stream, "runner")
    after = _claim(engine, T0 + timedelta(seconds=10))

    assert while_running == []
    assert [c.stream for c in after] == ["pull:Lead"]


def test_a_stream_whose_lease_is_held_or_that_backs_off_is_not_claimed(
    engine: Engine, service_id: int
) -> None:
    _reconcile(engine, T0)
    assert take_lease(engine, service_id, "pull:Lead", "someone", timedelta(minutes=1), now=T0)
    failure = StreamFailure(FailureKind.TRANSIENT, "unstable", "timed out")
    with engine.begin() as connection:
        state = service_schedules(connection, service_id)["activities"]
        save_state(connection, service_id, "activities", after_failure(state, failure, T0))

    assert [c.stream for c in _claim(engine, T0)] == []  # the pulls share pull:Lead's lease
    later = _claim(engine, T0 + timedelta(minutes=1))
    assert sorted(c.stream for c in later) == ["activities", "pull:Contact"]


def test_a_claim_stands_until_the_stream_is_claimed_again(engine: Engine, service_id: int) -> None:
    _reconcile(engine, T0)
    (old,) = [c for c in _claim(engine, T0) if c.stream == "activities"]
    (new,) = [c for c in _claim(engine, T0 + CLAIM_HOLD) if c.stream == "activities"]

    with engine.connect() as connection:
        assert not is_current(connection, old)
        assert is_current(connection, new)
        assert is_abandoned(connection, new, T0 + CLAIM_HOLD)
    later = T0 + CLAIM_HOLD
    assert take_lease(engine, service_id, "activities", "runner", timedelta(minutes=1), now=later)
    with engine.connect() as connection:
        assert not is_abandoned(connection, new, later)


def test_a_claim_given_back_is_still_owed_until_claimed_again(
    engine: Engine, service_id: int
) -> None:
    _reconcile(engine, T0)
    (claim,) = [c for c in _claim(engine, T0) if c.stream == "activities"]
    with engine.begin() as connection:
        release_claim(connection, claim)
        assert (is_current(connection, claim), is_owed(connection, claim)) == (False, True)

    (again,) = [c for c in _claim(engine, T0 + timedelta(seconds=1)) if c.stream == "activities"]
    with engine.connect() as connection:
        assert not is_owed(connection, claim)
        assert is_owed(connection, again)


def test_retrying_now_makes_backing_off_streams_due(engine: Engine, service_id: int) -> None:
    _reconcile(engine, T0)
    _claim(engine, T0)

    with engine.begin() as connection:
        retry_streams_now(connection, service_id, T0 + timedelta(minutes=1), ["pull:Lead"])

    assert [c.stream for c in _claim(engine, T0 + timedelta(minutes=1))] == ["pull:Lead"]


def test_retrying_all_now_leaves_the_healthy_streams_at_their_time(
    engine: Engine, service_id: int
) -> None:
    _reconcile(engine, T0)
    _claim(engine, T0)
    with engine.begin() as connection:
        save_state(
            connection,
            service_id,
            "activities",
            after_failure(
                service_schedules(connection, service_id)["activities"],
                StreamFailure(FailureKind.NEEDS_ATTENTION, "authentication_lost", "reconnect"),
                T0,
            ),
        )

    with engine.begin() as connection:
        retry_streams_now(connection, service_id, T0 + timedelta(minutes=1))

    assert [c.stream for c in _claim(engine, T0 + timedelta(minutes=1))] == [
        "pull:Lead",  # not claimed yet: its turn after pull:Contact
        "activities",
    ]


def _race(url: str, now: datetime, contenders: int) -> list[list[Claim]]:
    """`contenders` dispatchers, each with its own engine, claim at the same moment."""
    engines = [make_engine(url) for _ in range(contenders)]
    start = threading.Barrier(contenders)

    def contend(engine: Engine) -> list[Claim]:
        start.wait()
        return _claim(engine, now, limit=4)

    try:
        with ThreadPoolExecutor(contenders) as pool:
            return list(pool.map(contend, engines))
    finally:
        for engine in engines:
            engine.dispose()


def test_a_batch_claims_one_service_per_connection_for_reads_they_share(
    engine: Engine, session: Session, service_id: int
) -> None:
    org = get_org(session, "acme")
    connection = session.get_one(Service, service_id).connection
    other = create_service(session, org, "shop", connection=connection)
    session.commit()
    _reconcile(engine, T0)

    first = {(c.service_id, c.stream) for c in _claim(engine, T0)}
    second = {(c.service_id, c.stream) for c in _claim(engine, T0)}

    # One run of pull:Contact reads for both services, taking both contact books: the other
    # service's pull:Lead, claimed with it, would hold one and keep it out of that read (and
    # pay for its own). Activities are each service's own.
    assert first == {
        (service_id, "activities"),
        (other.id, "activities"),
        (service_id, "pull:Contact"),
    }
    # The other reads stay due until the claimed run has covered them, or their turn: one
    # shared read a batch, each for both services.
    assert second == {(service_id, "pull:Lead")}


def test_of_dispatchers_racing_for_due_rows_each_row_goes_to_exactly_one(
    engine: Engine, session: Session, migrated_url: str, service_id: int
) -> None:
    org = get_org(session, "acme")
    connection = session.get_one(Service, service_id).connection
    for number in range(3):
        create_service(session, org, f"shop-{number}", connection=connection)
    session.commit()
    _reconcile(engine, T0)

    raced = [c for claimed in _race(migrated_url, T0, contenders=4) for c in claimed]
    rest: list[Claim] = []
    while more := _claim(engine, T0):  # a batch takes one service per shared read
        rest += more

    keys = [(c.service_id, c.stream) for c in raced + rest]
    assert len(keys) == len(set(keys)) == 12


def test_a_check_that_goes_through_lifts_the_flags_a_login_answers(
    engine: Engine, session: Session, service_id: int
) -> None:
    """The admin enabled the API and checked the connection: its streams flagged
    `api_disabled` run at the next tick instead of waiting for a reconnect or a retry."""
    _reconcile(engine, T0)
    failure = StreamFailure(FailureKind.NEEDS_ATTENTION, "api_disabled", "no API access")
    with engine.begin() as connection:
        for stream in ("pull:Contact", "pull:Lead"):
            save_state(
                connection,
                service_id,
                stream,
                after_failure(_schedules(engine, service_id)[stream], failure, T0),
            )
    checked = session.get_one(Service, service_id).connection
    assert checked is not None
    later = T0 + timedelta(minutes=5)

    checked.status = ConnectionStatus.NEEDS_ATTENTION
    after_checking(session, checked, later)  # the check found it still wanting
    session.commit()
    still = _schedules(engine, service_id)["pull:Contact"]
    checked.status = ConnectionStatus.CONNECTED
    after_checking(session, checked, later)
    session.commit()
    lifted = _schedules(engine, service_id)["pull:Contact"]

    assert still.needs_attention == "api_disabled"
    assert (lifted.needs_attention, lifted.next_run_at) == (None, later)
