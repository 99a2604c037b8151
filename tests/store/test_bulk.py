from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from forcebridge.store import bulk
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
