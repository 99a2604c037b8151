"""Writing planned records through sObject Collections: 200 a call, `allOrNone=false`.

Each record's fate comes back on its own (a failed record does not stop the others). A call
that fails as a whole, after the client's retries (the daily limit reached, Salesforce out of
reach), stops the writing: the records not yet sent fail with that reason and `stopped` holds
it, so the run can report what was written and why the rest was not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.salesforce.errors import RecordError, SalesforceError
from forcebridge.salesforce.sobject_collections import WRITE_CHUNK, RecordResult, chunks
from forcebridge.sync.export_model import Action, FieldError
from forcebridge.sync.export_plan import Outcome, RecordPlan

WriteProgress = Callable[[int], None]
"""Told how many more records were sent."""

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

    def __init__(self, client: SalesforceClient, progress: WriteProgress | None = None) -> None:
        self._client = client
        self._progress = progress
        self.stopped: SalesforceError | None = None

    def write(self, sobject: str, plans: Sequence[RecordPlan]) -> list[Outcome]:
        """One outcome per plan, in order; plans with nothing to write keep their own."""
        outcomes = [Outcome.planned(plan) for plan in plans]
        for action in (Action.CREATED, Action.UPDATED):
            chosen = [i for i, plan in enumerate(plans) if plan.action is action]
            for chunk in chunks(chosen, WRITE_CHUNK):
                for position, outcome in zip(
                    chunk,
                    self._write_chunk(sobject, action, [plans[i] for i in chunk]),
                    strict=True,
                ):
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
