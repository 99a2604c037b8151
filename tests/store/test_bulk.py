from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Engine, Table, select, text
from sqlalchemy.orm import Session

from forcebridge.store import bulk
from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.models import Org


def test_a_timestamp_written_in_bulk_is_stored_as_the_orm_stores_it(session: Session) -> None:
    on_the_second = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)  # no microseconds to print
    session.add(Org(name="orm", created_at=on_the_second, updated_at=on_the_second))
    table = cast(Table, Org.__table__)
    stamp = bulk.constant(session, table.c.created_at, on_the_second)
    bulk.insert_rows(session, table, ("name", "created_at", "updated_at"), [("bulk", stamp, stamp)])
    session.commit()

    stored = session.execute(text("SELECT name, created_at FROM orgs ORDER BY name")).all()
    assert stored[0][1] == stored[1][1]
    assert set(session.scalars(select(Org.created_at))) == {on_the_second}


def test_a_rereadable_commit_is_seen_by_others_and_later_commits_wait_for_the_disk_again(
    engine: Engine, session: Session
) -> None:
    session.add(Org(name="page"))
    bulk.commit_rereadable(session)

    with make_sessionmaker(engine)() as other:
        assert other.scalars(select(Org.name)).all() == ["page"]
    if bulk.is_postgresql(session):
        assert session.scalar(text("SHOW synchronous_commit")) == "on"
