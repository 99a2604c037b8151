"""Reading again, by Id, the records a stream's incremental read would not see.

A person who is both a Lead and a Contact shows the Contact's values. Once the Contact is
deleted (or leaves the service's records), the Lead's are theirs again, but the Lead did not
change, so no incremental read brings it back. The Contact stream leaves such Leads in
`pending_rereads`, and the Lead stream's next run reads them by Id (one query per
`REREAD_CHUNK` of them, none when nothing waits) and applies them as any page.

The other way round, a Lead converted into an existing Contact hands its contact to that
Contact, but the Lead stream cannot see whether the service's routing rule admits it. The
Lead stream leaves the Contact for the Contact stream to read by Id under the rule. A record
asked for and not returned has left the service's records (outside its rule, or deleted
since) and is unlinked as such. One the run's own read brought is not asked for again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.salesforce.sobject_collections import chunks
from forcebridge.soql import ast
from forcebridge.soql.builder import in_
from forcebridge.store.repositories.rereads import clear_rereads, pending_rereads
from forcebridge.sync.pull_members import Member
from forcebridge.sync.pull_plan import read_plan
from forcebridge.sync.pull_read import read_pages
from forcebridge.sync.pull_record import Incoming, ReadPage, parse_modstamp
from forcebridge.sync.pull_store import settle

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

REREAD_CHUNK = 200
"""Ids a query asks for: their IN list stays a few kilobytes of the URL's 16,384 bytes."""


def reread_pending(
    session: Session, client: SalesforceClient, member: Member, now: dt.datetime
) -> None:
    """Read again the records waiting for `member`'s stream, apply them, and forget them;
    each chunk committed on its own. `now`: the run's start."""
    target = member.target
    waiting = pending_rereads(session, target.service_id, target.source)
    if member.brought:
        clear_rereads(session, target.service_id, target.source, member.brought)
        session.commit()
    asked = [sid for sid in waiting if sid not in member.brought]
    plan = read_plan(member.sobject, [member.needs], None, [member.route.condition])
    for chunk in chunks(asked, REREAD_CHUNK):
        wanted = in_("Id", chunk).condition
        condition = wanted if plan.condition is None else ast.And((plan.condition, wanted))
        page = ReadPage()
        returned: set[str] = set()
        for read in read_pages(
            client, replace(plan, condition=condition), bulk_threshold=len(chunk)
        ):
            for record in read.records:
                returned.add(record.get("Id", ""))
                page.read(record, parse_modstamp(record), member.compiled, target)
        page.incoming += [
            Incoming(sid, now, deleted=True, left_scope=True)
            for sid in chunk
            if sid not in returned
        ]
        settle(session, target, member.run, page)
        clear_rereads(session, target.service_id, target.source, chunk)
        session.commit()
