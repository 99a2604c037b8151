"""Writing planned records through sObject Collections: 200 a call, `allOrNone=false`.

Each record's fate comes back on its own (a failed record does not stop the others). A call
that fails as a whole, after the client's retries (the daily limit reached, Salesforce out of
reach), stops the writing: the records not yet sent fail with that reason and `stopped` holds
it, so the run can report what was written and why the rest was not.

Each call's outcomes are handed to `kept` as soon as it returns, so the Ids of what it made are
kept before anything else happens. Salesforce makes the records of a call it received whether
or not anyone waits for the answer, so a Ctrl+C or SIGTERM arriving while a call is in flight
takes effect once it has returned and been kept (a second one does not wait): stopping midway
would leave records no kept Id knows, which the next export would make again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from forcebridge.salesforce.errors import RecordError, SalesforceError
from forcebridge.salesforce.sobject_collections import WRITE_CHUNK, RecordResult, chunks
from forcebridge.salesforce.stopping import interrupts_held
from forcebridge.sync.export_model import Action, FieldError
from forcebridge.sync.export_plan import Outcome, RecordPlan

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

WriteProgress = Callable[[int], None]
"""Told how many more records were sent."""

Kept = Callable[[str, Sequence[RecordPlan], Sequence[Outcome]], None]
"""Told the outcomes of each call (the object, the plans sent, what became of each)."""

NOT_WRITTEN = "not_written"


def field_errors(errors: Sequence[RecordError]) -> tuple[FieldError, ...]:
    """Salesforce's record errors, one per field it names (or one naming no field)."""
    return tuple(
        FieldError(name, error.message, error.status_code)
        for error in errors
        for name in (error.fields or (None,))
    )


class Writer:
    """Writes plans of one export in order; after a failed call it writes nothing more."""

    def __init__(
        self,
        client: SalesforceClient,
        progress: WriteProgress | None = None,
        kept: Kept | None = None,
    ) -> None:
        self._client = client
        self._progress = progress
        self._kept = kept
        self.stopped: SalesforceError | None = None

    def write(self, sobject: str, plans: Sequence[RecordPlan]) -> list[Outcome]:
        """One outcome per plan, in order; plans with nothing to write keep their own."""
        outcomes = [Outcome.planned(plan) for plan in plans]
        for action in (Action.CREATED, Action.UPDATED):
            chosen = [i for i, plan in enumerate(plans) if plan.action is action]
            for chunk in chunks(chosen, WRITE_CHUNK):
                sent = [plans[i] for i in chunk]
                with interrupts_held():
                    calling = self.stopped is None
                    written = self._write_chunk(sobject, action, sent)
                    if calling and self._kept is not None:
                        self._kept(sobject, sent, written)
                for position, outcome in zip(chunk, written, strict=True):
                    outcomes[position] = outcome
                if self._progress is not None:
                    self._progress(len(chunk))
        return outcomes

    def _write_chunk(
        self, sobject: str, action: Action, plans: Sequence[RecordPlan]
    ) -> list[Outcome]:
        if self.stopped is None:
            try:
                if action is Action.CREATED:
                    results = self._client.collection_create(sobject, [p.values for p in plans])
                else:
                    records = [{"Id": p.record_id, **p.values} for p in plans]
                    results = self._client.collection_update(sobject, records)
                return [
                    _outcome(action, plan, result)
                    for plan, result in zip(plans, results, strict=True)
                ]
            except SalesforceError as error:
                self.stopped = error
        reason = f"not written: {self.stopped}"
        return [
            Outcome(Action.FAILED, plan.record_id, (FieldError(None, reason, NOT_WRITTEN),))
            for plan in plans
        ]


def _outcome(action: Action, plan: RecordPlan, result: RecordResult) -> Outcome:
    if result.success:
        return Outcome(action, result.id or plan.record_id)
    return Outcome(Action.FAILED, plan.record_id, field_errors(result.errors))
