from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.store.repositories.watermarks import (
    get_watermark,
    reset_watermarks,
    save_watermark,
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
