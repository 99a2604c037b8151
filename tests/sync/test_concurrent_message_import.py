"""Imports of overlapping batches at once (a request that timed out, sent again while the first
still runs): every message stored once, counted once, and no import fails on the others' locks."""

from __future__ import annotations

import datetime as dt
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.models import Message, Service
from forcebridge.store.repositories.contacts import insert_contacts
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.message_import import CHUNK, ImportReport, import_records

NOW = dt.datetime(2024, 3, 12, 20, 0, tzinfo=dt.UTC)
COPIES = 8
MESSAGES = 3 * CHUNK


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_overlapping_batches_in_different_orders_import_at_once_without_failing(
    engine: Engine, session: Session
) -> None:
    service = create_service(session, create_org(session, "acme"), "s2")
    contact_ids = insert_contacts(
        session, service.id, [{"first_name": f"Person {n}"} for n in range(30)]
    )
    session.commit()
    batch: list[dict[str, Any]] = [
        {
            "contact_id": contact_ids[n % len(contact_ids)],
            "direction": "inbound",
            "channel": "sms",
            "body": f"message {n}",
            "sent_at": (NOW - dt.timedelta(minutes=n)).isoformat(),
        }
        for n in range(MESSAGES)
    ]
    copies = [random.Random(seed).sample(batch, len(batch)) for seed in range(COPIES)]
    start = threading.Barrier(COPIES)

    def send(rows: list[dict[str, Any]]) -> ImportReport:
        with make_sessionmaker(engine)() as own:
            found = own.get(Service, service.id)
            assert found is not None
            start.wait()
            return import_records(own, found, enumerate(rows, start=1), now=NOW)

    with ThreadPoolExecutor(COPIES) as pool:
        reports = list(pool.map(send, copies))

    assert sum(report.imported for report in reports) == MESSAGES
    assert sum(report.duplicates for report in reports) == MESSAGES * (COPIES - 1)
    assert all(report.rejected == 0 for report in reports)
    assert session.scalar(select(func.count()).select_from(Message)) == MESSAGES
