"""The daily reconciliation: what incremental reads cannot see.

An incremental read only sees records whose `SystemModstamp` moved. It misses records deleted
for good (emptied from the recycle bin, or deleted beyond `queryAll`'s reach), records that no
longer meet a custom query's or routing rule's condition without being changed themselves
(the condition reads a parent, or a date literal moved on), and formula or roll-up fields whose
values changed with their inputs. So, once a day, each stream of a service is read again through
Bulk API 2.0 (a handful of calls whatever the volume): only `Id` when the mapping reads no
calculated field, every mapped field when it does. Linked records missing from that read are
unlinked and their contacts marked; when fields were re-read, changed values are applied.
Watermarks are left alone. A record a pull already applied, unchanged since, has its values'
notes (an invalid phone) logged by that pull, not again each day (`ToldByPulls`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.mapping.query_fields import ALWAYS_SELECTED
from forcebridge.salesforce.errors import SalesforceError
from forcebridge.store.models import Service
from forcebridge.store.types import utcnow
from forcebridge.sync.pull import PullResult, recorded_run
from forcebridge.sync.pull_members import Member, StreamFailed, prepare_member
from forcebridge.sync.pull_plan import PAGE_SIZE, PlanError, ReadPlan, pull_streams
from forcebridge.sync.pull_read import json_shaped
from forcebridge.sync.pull_record import ReadPage, ToldByPulls, parse_modstamp
from forcebridge.sync.pull_store import settle, unlink_missing

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

STREAM = "reconcile"


def reconcile(
    session: Session,
    client: SalesforceClient,
    service: Service,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
) -> PullResult:
    """Reconcile every stream of `service`, recorded as one run."""
    causes: list[Exception] = []
    with recorded_run(session, client, service, STREAM, clock=clock) as recorded:
        try:
            streams = pull_streams(service)
        except PlanError as error:
            streams = ()
            recorded.errors.append(str(error))
            causes.append(error)
        for stream in streams:
            try:
                member = prepare_member(session, client, service, stream, recorded.run)
                _reconcile(session, client, member, clock())
            except (StreamFailed, PlanError, SalesforceError) as failure:
                session.rollback()
                recorded.errors.append(f"{stream.name}: {failure}")
                causes.append(failure)
    return PullResult.of(recorded.run, streams=((STREAM, causes[0] if causes else None),))


def _reconcile(
    session: Session, client: SalesforceClient, member: Member, now: dt.datetime
) -> None:
    fields = (*ALWAYS_SELECTED, *member.needs) if member.calculated else ("Id",)
    plan = ReadPlan(member.sobject, tuple(dict.fromkeys(fields)), None, member.route.condition)
    present: set[str] = set()
    told = ToldByPulls.of(member.cursor, member.compiled, member.calculated)
    page = ReadPage(told=told)
    for row in client.bulk_query(plan.soql(ordered=False)):
        record = json_shaped(row)
        present.add(record["Id"])
        if member.calculated:
            page.read(record, parse_modstamp(record), member.compiled, member.target)
            if len(page.incoming) >= PAGE_SIZE:
                settle(session, member.target, member.run, page)
                session.commit()
                page = ReadPage(told=told)
    settle(session, member.target, member.run, page)
    session.commit()
    unlink_missing(session, member.target, member.run, present, now)
