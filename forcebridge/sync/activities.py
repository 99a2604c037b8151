"""The activity log's push run: new messages become one Task per contact per local day.

The order of work, and why:

1. The run is recorded; Task's describe tells whether the org has a key field (`activity_tasks`).
2. Without one, windows whose create a stopped run may have sent are looked for in Salesforce
   (`task_recovery`), so they are updated rather than created twice.
3. The windows to consider: those touched by messages recorded since the stream's cursor, and
   those still unwritten or failing from earlier runs (a held window once its contact is linked).
4. 200 windows at a time: their messages are read, transcripts rendered, targets chosen and
   writes decided (all pure); new windows are recorded with their keys and committed before
   anything is sent.
5. Writes wait in one queue per kind (create or upsert, update) and go 200 a call as a queue
   fills, so a run costs ceil(windows / 200) calls plus at most one more; each call's outcome
   is recorded and committed at once (`task_sending`).
6. The cursor moves once every window is done: a run that stopped is simply run again.

No database transaction stays open across a Salesforce call. A dry run decides everything,
sends and stores nothing but the run and its log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.salesforce.errors import SalesforceError
from forcebridge.settings import Settings
from forcebridge.store.models import LogLevel, Run, Service
from forcebridge.store.repositories.activity_windows import (
    NewWindow,
    StoredWindow,
    add_windows,
    logged_about,
    save_windows,
    windows_of,
    windows_to_retry,
)
from forcebridge.store.repositories.contacts import contacts_by_id, identities_by_contact
from forcebridge.store.repositories.messages import (
    MessageStamp,
    StoredMessage,
    messages_between,
    messages_recorded_since,
)
from forcebridge.store.repositories.runs import (
    add_log_entry,
    failed_if_stopped,
    finish_run,
    start_run,
)
from forcebridge.store.repositories.watermarks import get_watermark, save_watermark
from forcebridge.store.types import utcnow
from forcebridge.sync.activity_drafts import (
    Draft,
    DraftSettings,
    by_window,
    contact_name,
    draft_window,
)
from forcebridge.sync.activity_report import Code, PushReport, Tally, read_again
from forcebridge.sync.activity_tasks import (
    DEFAULT_MAX_ATTEMPTS,
    TASK,
    Action,
    PartWrite,
    Target,
    before_sending,
    choose_target,
    decide,
    held_reason,
    reopened,
    target_sources,
    task_key_field,
)
from forcebridge.sync.activity_windows import WindowKey, windows_touched
from forcebridge.sync.api_spending import settle_spending, spent_since
from forcebridge.sync.message_notes import MESSAGE_CODES, Note, new_message_notes, unsaid
from forcebridge.sync.service_days import service_calendar
from forcebridge.sync.task_recovery import recover_tasks
from forcebridge.sync.task_sending import TaskSender
from forcebridge.sync.transcript import ContactName
from forcebridge.sync.watermark import START, Cursor, advance, already_applied, horizon

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

STREAM = "activities"
WINDOW_BATCH = 200

Progress = Callable[[int, int], None]
"""Called with (windows done, windows to do)."""


@dataclass(frozen=True)
class PushOptions:
    product_name: str = "forcebridge"
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Failed writes in a row after which a window is parked."""
    dry_run: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, *, dry_run: bool = False) -> PushOptions:
        return cls(settings.product_name, settings.activity_max_attempts, dry_run)


def push_activities(
    session: Session,
    service: Service,
    client: SalesforceClient,
    options: PushOptions | None = None,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    run_started: Callable[[int], None] | None = None,
) -> PushReport:
    """Run the service's activities stream once; the run is recorded whatever happens to it.

    A refusal of Salesforce that stops the run (authorization lost, limit reached, out of
    reach) ends it as failed with the reason, and nothing written so far is lost.
    `run_started` is told the run's id once it is committed as started, so a caller stopped
    midway (Ctrl+C, SIGTERM) can name the run it failed."""
    push = _Push(session, service, client, options or PushOptions(), now or utcnow(), progress)
    return push(run_started or (lambda run_id: None))


class _Push:
    def __init__(
        self,
        session: Session,
        service: Service,
        client: SalesforceClient,
        options: PushOptions,
        now: dt.datetime,
        progress: Progress | None,
    ) -> None:
        self.session, self.service, self.client, self.options = session, service, client, options
        self.now = now
        self.progress = progress or (lambda done, total: None)
        self.calendar = service_calendar(service)
        self.today = self.calendar.day_of(now)
        self.sources = target_sources(service.activities_to)
        self.draft_settings = DraftSettings(
            service.task_key_scope or str(service.id),
            self.calendar,
            options.product_name,
            service.task_subject_template,
            service.task_owner_id,
        )
        self.tally = Tally()
        self.key_field: str | None = None
        self.touched: set[WindowKey] = set()
        self.new_ids: set[int] = set()
        self.recovered: set[int] = set()
        """Windows whose Task a stopped run wrote: their messages are not late, only unsent."""
        self.newly_held = 0
        """A dry run's: windows it would record held, which it does not record."""
        self.run: Run
        self.spent: Callable[[], int] = lambda: 0

    def __call__(self, run_started: Callable[[int], None]) -> PushReport:
        service = self.service
        self.run = start_run(
            self.session,
            service.org,
            STREAM,
            service=service,
            dry_run=self.options.dry_run,
            now=self.now,
        )
        self.session.commit()
        run_started(self.run.id)
        before = self.client.usage.snapshot()
        self.spent = spent_since(self.client, before)
        error: str | None = None
        with failed_if_stopped(self.session, self.run, self.spent):
            try:
                self._push()
            except SalesforceError as exc:
                error = str(exc)
        self.tally.write_to(self.run)
        settle_spending(self.session, self.run, self.client, before)
        finish_run(self.session, self.run, error=error)
        self.session.commit()
        return PushReport.of(self.run, self.newly_held, self.tally.reread)

    def _push(self) -> None:
        self.key_field = task_key_field(self.client.describe(TASK))
        self.sender = TaskSender(
            self.session,
            self.client,
            self.run,
            self.tally,
            self.key_field,
            self.now,
            self._note,
            dry_run=self.options.dry_run,
            max_attempts=self.options.max_attempts,
            spent=self.spent,
        )
        if not self.options.dry_run:
            # With a key field too: a stopped run may have created Tasks before it was added.
            self._recover()
        cursor, stamps = self._new_messages()
        windows = self._windows_to_consider(stamps)
        self.progress(0, len(windows))
        for start in range(0, len(windows), WINDOW_BATCH):
            self._prepare(windows[start : start + WINDOW_BATCH])
            self.progress(min(start + WINDOW_BATCH, len(windows)), len(windows))
        self.sender.drain()
        if not self.options.dry_run:
            moved = advance(cursor, ((s.recorded_at, str(s.id)) for s in stamps), horizon(self.now))
            save_watermark(self.session, self.service, STREAM, moved.modstamp, moved.ids)
            self.session.commit()

    # --- what to consider ----------------------------------------------------------------------

    def _recover(self) -> None:
        def current(contact_ids: set[int]) -> dict[int, str]:
            targets = self._targets(contact_ids)
            return {contact_id: t.record_id for contact_id, t in targets.items() if t}

        self.recovered = recover_tasks(
            self.session, self.service.id, self.client, current, self._note
        )

    def _new_messages(self) -> tuple[Cursor, list[MessageStamp]]:
        mark = get_watermark(self.session, self.service, STREAM)
        cursor = Cursor(mark.modstamp, frozenset(mark.ids_at_modstamp)) if mark else START
        stamps = messages_recorded_since(self.session, self.service.id, cursor.modstamp)
        return cursor, [s for s in stamps if not already_applied(cursor, s.recorded_at, str(s.id))]

    def _windows_to_consider(self, stamps: Sequence[MessageStamp]) -> list[WindowKey]:
        sent = ((s.contact_id, s.sent_at) for s in stamps)
        self.touched = set(windows_touched(sent, self.calendar))
        self.new_ids = {s.id for s in stamps}
        retry = windows_to_retry(self.session, self.service.id, self.sources)
        return sorted(self.touched | {WindowKey(day, contact_id) for contact_id, day in retry})

    def _targets(self, contact_ids: set[int]) -> dict[int, Target | None]:
        """Where each contact's conversations go (`_links`)."""
        allowed = self.service.activities_to
        return {
            contact_id: choose_target(links, allowed)
            for contact_id, links in self._links(contact_ids).items()
        }

    def _links(self, contact_ids: set[int]) -> dict[int, list[tuple[str, str]]]:
        """Each contact's `(source, external_id)` links through the service's connection (or
        through none in particular)."""
        identities = identities_by_contact(self.session, contact_ids)
        connection_id = self.service.connection_id
        return {
            contact_id: [
                (i.source, i.external_id)
                for i in identities.get(contact_id, ())
                if connection_id is None or i.connection_id in (None, connection_id)
            ]
            for contact_id in contact_ids
        }

    # --- deciding --------------------------------------------------------------------------------

    def _prepare(self, batch: Sequence[WindowKey]) -> None:
        """Decide the writes of `batch` (sorted by day), record them, and queue them."""
        contact_ids = {w.contact_id for w in batch}
        start, end = self.calendar.span(batch[0].day)[0], self.calendar.span(batch[-1].day)[1]
        messages = by_window(
            messages_between(self.session, self.service.id, contact_ids, start, end),
            self.calendar,
            set(batch),
        )
        contacts = contacts_by_id(self.session, contact_ids)
        links = self._links(contact_ids)
        drafts: list[Draft] = []
        said: dict[WindowKey, list[Note]] = {}
        for window in batch:
            if window in messages:
                parts, said[window] = self._draft(
                    window,
                    messages[window],
                    contact_name(window.contact_id, contacts.get(window.contact_id)),
                    links[window.contact_id],
                )
                drafts += parts
        loaded = self._stored_windows(drafts)
        writes = self.sender.parts_gone_written_anew(
            [self._decide(draft, window) for draft, window in zip(drafts, loaded, strict=True)]
        )
        recorded = [before_sending(write) for write in writes]
        changed = [r for r, w in zip(recorded, loaded, strict=True) if r != w]
        if not self.options.dry_run:
            save_windows(self.session, changed)
            self.session.commit()
        else:  # a new window (no id yet) held is one more the real push would count
            self.newly_held += sum(
                1
                for write, stored in zip(writes, loaded, strict=True)
                if write.action is Action.HELD and not stored.id
            )
        # Said when the window is written or its record changes: a push that reads the same
        # messages again (within the cursor's overlap) and leaves the window as it was would
        # only repeat it; and of each message once, whichever later run writes its day again.
        moved = {WindowKey(w.day, w.contact_id) for w in changed} | {
            WindowKey(w.window.day, w.window.contact_id) for w in writes if w.sends
        }
        notes = [note for window in sorted(moved & said.keys()) for note in said[window]]
        for note in self._unsaid(notes, drafts):
            self._note(note.level, note.code, note.message, note.record_ref)
        self.tally.reread += read_again(writes, self.touched)
        for write in writes:
            self.sender.add(write)

    def _unsaid(self, notes: Sequence[Note], drafts: Sequence[Draft]) -> list[Note]:
        """`notes` but those an earlier run said of the same message (`message_notes`)."""
        asked = {n.record_ref for n in notes if n.message_id is not None}
        if not asked:
            return list(notes)
        days = {d.window for d in drafts if d.key in asked}
        keys = [d.key for d in drafts if d.window in days]  # a message may move to a later part
        return unsaid(notes, logged_about(self.session, self.service.id, keys, MESSAGE_CODES))

    def _draft(
        self,
        window: WindowKey,
        messages: Sequence[StoredMessage],
        name: ContactName,
        links: Sequence[tuple[str, str]],
    ) -> tuple[tuple[Draft, ...], list[Note]]:
        """The window's parts, and what the run should say about its new messages (logged
        once the window's write is decided, `_prepare`)."""
        allowed = self.service.activities_to
        target = choose_target(links, allowed)
        drafted = draft_window(self.draft_settings, window, messages, name, target)
        said = new_message_notes(drafted, messages, self.new_ids, self.now)
        if target is None and window in self.touched:
            said.append(
                Note(
                    LogLevel.WARNING,
                    Code.HELD,
                    f"the messages of {window.day} are held: contact {window.contact_id} is "
                    + held_reason([source for source, _ in links], allowed),
                    drafted.drafts[0].key,
                )
            )
        return drafted.drafts, said

    def _stored_windows(self, drafts: Sequence[Draft]) -> list[StoredWindow]:
        """Each draft's window as recorded, recording the new ones (with their keys) first."""
        pairs = {(d.window.contact_id, d.window.day) for d in drafts}
        stored = {
            (w.contact_id, w.day, w.part): w
            for w in windows_of(self.session, self.service.id, pairs)
        }
        missing = [
            NewWindow(d.window.contact_id, d.window.day, d.part, d.key)
            for d in drafts
            if (d.window.contact_id, d.window.day, d.part) not in stored
        ]
        if self.options.dry_run:
            added = [StoredWindow(0, n.contact_id, n.day, n.part, n.key) for n in missing]
        else:
            added = add_windows(self.session, self.service.id, missing)
        stored |= {(w.contact_id, w.day, w.part): w for w in added}
        return [stored[(d.window.contact_id, d.window.day, d.part)] for d in drafts]

    def _decide(self, draft: Draft, stored: StoredWindow) -> PartWrite:
        window = reopened(stored, len(draft.message_ids), draft.target)
        if window is not stored:
            why = (
                "has new messages"
                if len(draft.message_ids) > stored.message_count
                else f"is now to be written to {draft.target.record_id if draft.target else ''}"
            )
            self._note(
                LogLevel.INFO,
                Code.REOPENED,
                f"the parked window {why}: trying it again",
                window.key,
            )
        action = decide(window, draft.target, draft.content_hash, key_field=self.key_field)
        late = window.day < self.today - dt.timedelta(days=1) and window.id not in self.recovered
        grown = len(draft.message_ids) > window.message_count  # not only read again, or re-worded
        if action is Action.UPDATE and late and grown:
            self._note(
                LogLevel.INFO,
                Code.REOPENED,
                f"late messages re-open the Task of {window.day}",
                window.key,
                window.task_id,
            )
        return PartWrite(
            window, action, draft.target, draft.fields, draft.content_hash, draft.message_ids
        )

    def _note(
        self,
        level: LogLevel,
        code: str,
        message: str,
        window_key: str | None = None,
        salesforce_id: str | None = None,
    ) -> None:
        add_log_entry(
            self.session,
            self.run,
            level,
            message,
            salesforce_id=salesforce_id,
            record_ref=window_key,
            code=code,
        )
