from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.models import Service
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.store.repositories.watermarks import (
    get_watermark,
    reset_watermarks,
    save_watermark,
    settings_moved,
)

T0 = datetime(2024, 11, 7, 9, 0, 0, 123000, tzinfo=UTC)


def test_a_watermark_moves_in_place_and_keeps_its_instant_to_the_millisecond(
    session: Session,
) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    assert get_watermark(session, service, "pull:Contact") is None
    save_watermark(session, service, "pull:Contact", T0, {"003B", "003A"})
    save_watermark(session, service, "pull:Lead", None, ())
    session.commit()
    session.expunge_all()

    stored = get_watermark(session, service, "pull:Contact")
    assert stored is not None
    assert (stored.modstamp, stored.ids_at_modstamp) == (T0, ["003A", "003B"])
    save_watermark(session, service, "pull:Contact", T0.replace(second=1), ["003C"])
    session.commit()
    moved = get_watermark(session, service, "pull:Contact")
    assert moved is stored
    assert moved.ids_at_modstamp == ["003C"]


def test_resetting_drops_the_named_streams_or_all_of_them(session: Session) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    for stream in ("pull:Contact", "pull:Lead"):
        save_watermark(session, service, stream, T0, ())
    reset_watermarks(session, service, {"pull:Lead"})
    assert get_watermark(session, service, "pull:Lead") is None
    assert get_watermark(session, service, "pull:Contact") is not None
    reset_watermarks(session, service)
    assert get_watermark(session, service, "pull:Contact") is None


def statements_of(engine: Engine, action: Callable[[], object]) -> list[str]:
    """The SQL `engine` was sent while `action` ran, each on one line."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(args[2].split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def test_a_reset_moves_the_settings_version_before_it_deletes_the_watermarks(
    session: Session, engine: Engine
) -> None:
    """The service's row, then its watermarks': the order a read's writes take them in."""
    service = create_service(session, create_org(session, "acme"), "support")
    save_watermark(session, service, "pull:Contact", T0, ())
    session.commit()

    sent = statements_of(engine, lambda: reset_watermarks(session, service, ["pull:Contact"]))
    session.commit()

    moved = next(i for i, s in enumerate(sent) if s.startswith("UPDATE services"))
    deleted = next(i for i, s in enumerate(sent) if s.startswith("DELETE FROM watermarks"))
    assert moved < deleted
    assert service.pull_settings_version == 1
    reset_watermarks(session, service)
    assert service.pull_settings_version == 2


def test_a_settings_change_waits_for_the_write_that_holds_the_version_it_noted(
    session: Session, engine: Engine
) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    sessions = make_sessionmaker(engine)
    changed = threading.Event()

    def change() -> None:
        with sessions() as admin:
            reset_watermarks(admin, admin.get_one(Service, service.id))
            admin.commit()
        changed.set()

    with sessions() as page:
        sent = statements_of(engine, lambda: settings_moved(page, {service.id: 0}))
        if engine.dialect.name == "postgresql":
            assert sent[-1].endswith("FOR SHARE")
        admin = threading.Thread(target=change)
        admin.start()
        assert not changed.wait(0.5)
        page.commit()
        assert changed.wait(10)
        admin.join()
        assert settings_moved(page, {service.id: 0}) == {service.id}
        assert settings_moved(page, {service.id: 1}) == set()
