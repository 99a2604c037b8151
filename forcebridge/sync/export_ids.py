"""The Salesforce Ids an export gives its prospects, kept as soon as Salesforce names them.

The next export finds a record by the Id kept for its prospect (a prospect without an email has
no other way to be found), so the Ids each collection call returns are committed as it returns
(`export_write.Writer`'s `kept`), not once the run is done: an export stopped midway (Ctrl+C,
SIGTERM, a crash) leaves every record it made known, and the next export updates them instead
of making them again; the run's API calls so far are written with them. Once the run is done,
the records found rather than written are kept the same way.

The Ids are kept with the connection they came through: an Id means something only in the
Salesforce org that made it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from forcebridge.store.models import Org, Run
from forcebridge.store.repositories.prospects import (
    SalesforceIds,
    get_prospects,
    keep_salesforce_ids,
)
from forcebridge.sync.export_model import Action, ExportObject, ExportProspect
from forcebridge.sync.export_plan import Outcome, RecordPlan


class KeptIds:
    """Keeps, for the stored prospects of one export, the Ids of the records they became."""

    def __init__(
        self,
        session: Session,
        org: Org,
        connection_id: int,
        prospects: Sequence[ExportProspect],
        run: Run,
        spent: Callable[[], int],
    ) -> None:
        self._session, self._org, self._connection_id = session, org, connection_id
        self._prospects = prospects
        self._run, self._spent = run, spent

    def __call__(
        self, sobject: str, plans: Sequence[RecordPlan], outcomes: Sequence[Outcome]
    ) -> None:
        """Each plan's members keep the record its outcome names (made, found, or one that
        refused its update but exists); committed at once, with the calls the run has spent so
        far and the records it made or updated (one for all the rows of a person), so that a run
        stopped for good still shows what it did and cost (the run's end counts them all
        again)."""
        kept = [
            (prospect_id, _ids(sobject, outcome.record_id))
            for plan, outcome in zip(plans, outcomes, strict=True)
            if outcome.record_id is not None
            for member in plan.members
            if (prospect_id := self._prospects[member].prospect_id) is not None
        ]
        if kept:
            ids = [prospect_id for prospect_id, _ in kept]
            stored = get_prospects(self._session, self._org, ids)
            keep_salesforce_ids(
                self._session,
                self._connection_id,
                ((prospect, ids) for prospect, (_, ids) in zip(stored, kept, strict=True)),
            )
        if sobject != ExportObject.ACCOUNT:  # the run counts its people's records, as it ends
            self._run.created += sum(outcome.action is Action.CREATED for outcome in outcomes)
            self._run.updated += sum(outcome.action is Action.UPDATED for outcome in outcomes)
        self._run.api_calls = self._spent()
        self._session.commit()

    def found(self, sobject: str, plans: Sequence[RecordPlan], outcomes: Sequence[Outcome]) -> None:
        """Once the run is done: keep the records it found but did not write (those it wrote
        were kept as each call returned)."""
        kept = [
            (plan, outcome)
            for plan, outcome in zip(plans, outcomes, strict=True)
            if outcome.action not in (Action.CREATED, Action.UPDATED)
        ]
        self(sobject, [plan for plan, _ in kept], [outcome for _, outcome in kept])


def _ids(sobject: str, record_id: str) -> SalesforceIds:
    if sobject == ExportObject.LEAD:
        return SalesforceIds(lead_id=record_id)
    if sobject == ExportObject.CONTACT:
        return SalesforceIds(contact_id=record_id)
    return SalesforceIds(account_id=record_id)
