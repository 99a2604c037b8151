"""One stream of a pull run: its group prepared, read once, applied page by page.

The service and every other service on its connection pulling the same object through the
same stream form a group, read with one query; each page is converted, matched and decided for
each member, then written and committed with the members' watermarks, on PostgreSQL while the
next page is decided (`forcebridge.sync.write_behind`). `forcebridge.sync.pull` runs the
streams and records the run.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.salesforce.errors import BadRequest, SalesforceError
from forcebridge.store.models import Run, Service
from forcebridge.store.repositories.contacts import refresh_statistics
from forcebridge.store.repositories.runs import finish_run, start_run, stop_reason
from forcebridge.store.repositories.services import services_beside
from forcebridge.store.repositories.watermarks import reset_watermarks, save_watermark
from forcebridge.sync.page_in_flight import unaffected
from forcebridge.sync.planner_statistics import refresh_due
from forcebridge.sync.pull_full_read import begin_full_reads, end_full_reads
from forcebridge.sync.pull_leases import StreamLeases
from forcebridge.sync.pull_members import (
    Member,
    StreamFailed,
    StreamInterrupted,
    VerifiedStream,
    member_of,
    prepare_member,
    verify_member,
)
from forcebridge.sync.pull_options import Progress, PullOptions
from forcebridge.sync.pull_plan import PlanError, Stream, pull_streams, read_plan
from forcebridge.sync.pull_read import Page, read_pages
from forcebridge.sync.pull_record import Incoming, ReadPage, parse_modstamp
from forcebridge.sync.pull_rereads import reread_pending
from forcebridge.sync.pull_settings_version import StoppedMembers
from forcebridge.sync.pull_store import PageWrite, decide, store_view
from forcebridge.sync.read_ahead import read_ahead
from forcebridge.sync.watermark import Cursor, advance, already_applied
from forcebridge.sync.write_behind import PageWriter

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


class StreamPull:
    """One stream of a run: its group prepared, read once, applied page by page."""

    def __init__(
        self,
        session: Session,
        client: SalesforceClient,
        stream: Stream,
        options: PullOptions,
        progress: Progress | None,
        limit: dt.datetime,
        started: dt.datetime,
        *,
        spent: Callable[[], int] = lambda: 0,
    ) -> None:
        self.session, self.client, self.stream = session, client, stream
        self.options, self.progress, self.limit = options, progress, limit
        self.started = started
        """The run's start (on its clock): when routing rules' date literals are read."""
        engine = session.get_bind()
        self.leases = StreamLeases(engine, stream.name) if isinstance(engine, Engine) else None
        self.covered: list[int] = []
        """The other members whose runs succeeded."""
        self.others_failed: dict[int, Exception] = {}
        """The other members whose runs failed, and why: their schedules back off with the
        run's, rather than have each lead the next failing read at once."""
        self.peers: list[Member] = []
        """In a dry run, the services the real run would read for too: their rules and
        watermarks shape the read as they would (a record that left the service's rule is read
        and seen to leave), but only the service's own records are decided."""
        self.failure: Exception | None = None
        """What stopped the stream, when something did."""
        self.stopped = StoppedMembers(session, dry_run=options.dry_run)
        """The members whose pull settings changed during the read (`pull_settings_version`)."""
        self.created = 0
        """The contacts the read has created so far, for all its members."""
        self.counted_at = 0
        """The contacts the read had created when the store last counted its tables."""
        self.spent = spent
        """The API calls the lead's run has spent so far: written with each page, so that a
        run whose process dies mid-read still shows what it cost."""
        self.lead: Member | None = None
        """The service the run is for: its run pays the read, even one done again without it
        (its settings refused), and the others' runs pay nothing."""

    def run(self, service: Service, run: Run, on_demand: bool) -> str | None:
        """Pull the stream for `service` (and its group); the reason if it failed, whose
        error, for a caller that classes failures, is kept as `failure`."""
        try:
            lead = prepare_member(
                self.session, self.client, service, self.stream, run, full=self.options.full
            )
            self.lead = lead
            self.session.commit()
            with self._group(lead, on_demand) as members:
                blamed = self._read_blaming(members)
                self._read_all_once_verified(
                    m.service for m in members if _unverified(blamed.get(m.service.id))
                )
                if not self.options.dry_run:
                    for member in members:
                        if member.service.id not in blamed:
                            reread_pending(self.session, self.client, member, self.started)
                for member in members[1:]:
                    if member.service.id in blamed:
                        member.run.error = str(blamed[member.service.id])
                        self.others_failed[member.service.id] = blamed[member.service.id]
                if lead.service.id in blamed:
                    self.failure = blamed[lead.service.id]
                    return str(self.failure)
        except (StreamFailed, PlanError, SalesforceError) as failure:
            self.session.rollback()
            self.failure = failure
            if _unverified(failure):
                self._read_all_once_verified([service])
            return str(failure)
        return None

    def _read_all_once_verified(self, services: Iterable[Service]) -> None:
        """Have the first run of `services` that verifies again read everything, as saving a
        mapping does: what made their settings fail (a mapped field deleted, say) may have
        changed values without moving any record's `SystemModstamp` (a field made again is
        empty in every record), which no incremental read would see. The runs in between fail
        before reading, so this costs nothing until then."""
        if self.options.dry_run:
            return
        for service in services:
            reset_watermarks(self.session, service, [self.stream.name])
        self.session.commit()

    @contextmanager
    def _group(self, lead: Member, on_demand: bool) -> Iterator[list[Member]]:
        """`lead` and the other services that can share its read, each with a lease and a run.

        Leases and cached describes are written in transactions of their own, so the session
        commits before each: on SQLite a write it left pending would lock them out."""
        leases = None if self.options.dry_run else self.leases
        members = [lead]
        others: list[tuple[Service, VerifiedStream]] = []
        if self.options.dry_run:
            self.peers = [
                member_of(self.session, service, self.stream, verified, lead.run)
                for service, verified in self._others(lead.service)
            ]
        elif leases is not None:
            if not on_demand:
                leases.adopt(lead.service.id)
            elif not leases.take(lead.service.id):
                raise StreamInterrupted(
                    "another run that changes the service's contact book (a pull or the "
                    "daily reconciliation) is in progress; try again once it has finished"
                )
            others = [(s, v) for s, v in self._others(lead.service) if leases.take(s.id)]
        runs: list[Run] = []
        try:
            runs += [start_run(self.session, s.org, self.stream.name, service=s) for s, _ in others]
            self.session.commit()
            for (service, verified), run in zip(others, runs, strict=True):
                members.append(member_of(self.session, service, self.stream, verified, run))
            yield members
        except BaseException as stopped:
            # A page in flight is not committed, whatever stopped it. The runs made for the
            # others end with the lead's (which its caller ends), never left `running`: no
            # lease names them once this read lets go, so nothing else would end them.
            self.session.rollback()
            for run in runs:
                finish_run(self.session, run, error=_stopped_by(stopped))
            self.session.commit()
            raise
        else:
            for member in members[1:]:
                finish_run(self.session, member.run, error=member.run.error)
            self.session.commit()
            if not self.options.dry_run:
                self.covered = [m.service.id for m in members[1:] if m.run.error is None]
        finally:
            if leases is not None:
                leases.release()

    def _others(self, service: Service) -> list[tuple[Service, VerifiedStream]]:
        """Services on the same connection pulling the same object through the same stream,
        with their settings for it verified. One whose settings fail (a mapping that no longer
        verifies) is left to its own schedule and backoff, which its own run reports to,
        rather than given a failed run at every shared read."""
        others = []
        for other in services_beside(self.session, service):
            verified = self._verified_share(other)
            if verified is not None:
                others.append((other, verified))
        return others

    def _verified_share(self, other: Service) -> VerifiedStream | None:
        """`other`'s verified settings for this stream, if it pulls it and they verify."""
        self.session.refresh(other)  # as they are now, with their version: see `pull._pull`
        try:
            streams = pull_streams(other)
        except PlanError:
            return None
        shared = next(
            (
                s
                for s in streams
                if s.name == self.stream.name and s.sobject.lower() == self.stream.sobject.lower()
            ),
            None,
        )
        if shared is None:
            return None
        try:
            return verify_member(self.session, self.client, other, shared, other.routing_condition)
        except (StreamFailed, PlanError, SalesforceError):
            return None

    def _read(self, members: list[Member]) -> None:
        readers = [*members, *self.peers]
        starts = [m.cursor.modstamp for m in readers]
        since = None if any(s is None for s in starts) else min(s for s in starts if s)
        plan = read_plan(
            members[0].sobject,
            [m.needs for m in readers],
            since,
            [m.route.condition for m in readers],
        )
        routed = len({m.route.condition for m in readers}) > 1
        folded: dict[int, Cursor] = {}
        """Cursors folded over unordered (Bulk) pages: saved only once the read is complete."""
        begin_full_reads(self.session, members, self.stream.name, dry_run=self.options.dry_run)
        done = 0
        # Set by `read_ahead` once the loop below is left: the fetch in flight starts no other
        # call and aborts a Bulk job still running (on this thread, a signal raises in it).
        stop = threading.Event()
        pages = read_pages(
            self.client,
            plan,
            bulk_threshold=self.options.bulk_threshold,
            wanted=_unapplied([m.cursor for m in readers]),
            stop=stop,
        )
        ahead = read_ahead(pages, stop) if self.options.read_ahead else pages
        # A rehearsal's tables live on this connection only.
        behind = self.options.write_behind and not self.options.dry_run
        try:
            # No fetch may outlive the loop (the client is used after it), nor a page's writing.
            with closing(ahead), PageWriter(self.session, behind=behind) as writer:
                try:
                    for page in ahead:
                        with _collector_paused():
                            self._apply_page(page, members, routed, folded, writer)
                        done += len(page.records)
                        if self.progress is not None:
                            self.progress(self.stream.name, done, page.total)
                        if not members:
                            break  # every member stopped: nothing left to read for
                        self._renew(members)
                except BaseException:
                    # Before waiting for the fetch in flight, which may need to write (a renewed
                    # token): on SQLite it would wait for the page this run leaves uncommitted.
                    self.session.rollback()
                    raise
        finally:
            for member in readers:
                self.session.expire(member.run)  # the writer has counted on it since
        self.stopped.drop(members, writer.refused)
        self._count_if_grown(self.created)
        if folded:  # a Bulk read's cursors, saved once it is complete
            self.stopped.hold(members)
        for member in members:
            if member.service.id in folded:
                member.cursor = cursor = folded[member.service.id]
                if not self.options.dry_run:
                    name = self.stream.name
                    save_watermark(self.session, member.service, name, cursor.modstamp, cursor.ids)
        self.session.commit()
        ended = end_full_reads(
            self.session, members, self.stream.name, self.started, dry_run=self.options.dry_run
        )
        self.stopped.drop(members, ended)

    def _apply_page(
        self,
        page: Page,
        members: list[Member],
        routed: bool,
        folded: dict[int, Cursor],
        writer: PageWriter,
    ) -> None:
        """Decide a page for every member and have it written with their watermarks (ordered
        pages) or fold their cursors for the end of the read (Bulk pages); have the store count
        its contacts again when the read has grown it (`planner_statistics`)."""
        stamped = [(parse_modstamp(record), record) for record in page.records]
        paying = self.lead is not None and members[0] is self.lead
        if self.lead is not None and not paying:
            self.lead.run.api_calls = self.spent()  # no page of its own to write them with
        # The last page's lookups end here: this page's read what is committed by now, and the
        # connection does not idle in a transaction while pages are written behind.
        self.session.commit()
        before = self.created
        decided = []
        for member in members:
            write, stamps = self._decide(member, stamped, routed, writer)
            if page.ordered:
                member.cursor = advance(member.cursor, stamps, self.limit)
                if not self.options.dry_run:
                    write = replace(write, watermark=(self.stream.name, member.cursor))
            else:
                key = member.service.id
                folded[key] = advance(folded.get(key, member.cursor), stamps, self.limit)
            decided.append(write)
            self.created += write.tally.created
        if paying:
            decided[0] = replace(decided[0], api_calls=self.spent())
        writer.submit(decided)
        self.stopped.drop(members, writer.refused)
        self._count_if_grown(before)  # the pages before this one are committed by now

    def _count_if_grown(self, created: int) -> None:
        """Have the store count its contacts again if the read has grown the book enough since
        it last did; `created`: the contacts created by pages already committed."""
        if refresh_due(created, self.counted_at):
            refresh_statistics(self.session)
            self.session.commit()
            self.counted_at = created

    def _decide(
        self,
        member: Member,
        stamped: list[tuple[dt.datetime | None, dict[str, Any]]],
        routed: bool,
        writer: PageWriter,
    ) -> tuple[PageWrite, list[tuple[dt.datetime, str]]]:
        """Decide one page for one member; the `(SystemModstamp, Id)` of the rows it has seen."""
        page = ReadPage()
        seen: list[str] | None = [] if member.unlinks_unseen else None
        for stamp, record in stamped:
            if stamp is not None and already_applied(member.cursor, stamp, record.get("Id", "")):
                continue
            if member.waiting and record.get("Id") in member.waiting:
                member.brought.add(record["Id"])
            if (
                stamp is not None
                and routed
                and not member.route.admits(
                    record, now=self.started, tz=member.zone, week_start=member.week_start
                )
            ):
                page.incoming.append(Incoming(record["Id"], stamp, deleted=True, left_scope=True))
            else:
                if seen is not None:
                    seen.append(record.get("Id", ""))
                page.read(record, stamp, member.compiled, member.target)
        target = member.target
        # Asked before the read: a page committed while the lookups run may show in some of
        # them and not others, so whatever was in flight when they began is checked.
        pending = writer.in_flight(target.service_id)
        view = store_view(self.session, target, page.incoming)
        if pending is not None and not unaffected(pending, page.incoming, view):
            writer.settled()
            self.session.commit()  # a read that begins after the page's commit
            view = store_view(self.session, target, page.incoming)
        told, noted = member.told_never_linked, self.stopped.noted(member)
        write = decide(target, member.run.id, page, view, told=told, settings_version=noted)
        if seen is not None:
            write = replace(write, seen=(self.stream.name, seen))
        member.told_never_linked |= bool(write.changes.never_linked)
        return write, [(stamp, record["Id"]) for stamp, record in stamped if stamp is not None]

    def _renew(self, members: list[Member]) -> None:
        """Keep the leases; a member whose lease was lost is left to whoever holds it now."""
        lost = self.leases.renew() if self.leases is not None and not self.options.dry_run else ()
        if members[0].service.id in lost:
            raise StreamInterrupted("the run lost its lease to another run; it stops here")
        members[:] = [m for m in members if m.service.id not in lost]

    def _read_blaming(self, members: list[Member]) -> dict[int, Exception]:
        """Read for `members`; when the read fails for some of them only (a field one service's
        mapping reads was deleted from the org), read again for the others, so a service is
        never failed for another's settings. Why each service that failed did, by service."""
        blamed: dict[int, Exception] = {}
        reading = list(members)
        while reading:
            try:
                self._read(reading)
            except (StreamFailed, PlanError, SalesforceError) as failure:
                self.session.rollback()
                found = self._blame(failure, reading)
                blamed |= found
                reading = [m for m in reading if m.service.id not in found]
            else:
                break
        return blamed | self.stopped.why

    def _blame(self, failure: Exception, members: list[Member]) -> dict[int, Exception]:
        """Whose the failure is. When Salesforce refuses a field, each member's describe is
        refreshed and its settings verified again: the failure is theirs whose settings no
        longer hold, with the reason naming what changed in the org. Otherwise (or when every
        member's settings still hold) it is everyone's."""
        everyone: dict[int, Exception] = {m.service.id: failure for m in members}
        if not (isinstance(failure, BadRequest) and failure.names_what_the_org_lacks):
            return everyone
        blamed: dict[int, Exception] = {}
        for member in members:
            try:
                prepare_member(
                    self.session, self.client, member.service, self.stream, member.run, refresh=True
                )
            except (StreamFailed, SalesforceError) as reason:
                blamed[member.service.id] = reason
        return blamed or everyone


def _unapplied(cursors: list[Cursor]) -> Callable[[dict[str, Any]], bool]:
    """Whether a record is one some reader, whose cursor as the read began is among `cursors`,
    has not applied yet: the others are skipped by all of them (cursors only move on), so the
    fields beyond the URL limit are not fetched for them."""

    def unapplied(record: dict[str, Any]) -> bool:
        stamp = parse_modstamp(record)
        record_id = record.get("Id", "")
        return stamp is None or not all(already_applied(c, stamp, record_id) for c in cursors)

    return unapplied


def _unverified(failure: Exception | None) -> bool:
    """Whether `failure` is a service's settings for the stream failing verification (a mapped
    field deleted, the query or rule naming one the org lacks), not a lease held elsewhere nor
    Salesforce out of reach."""
    return isinstance(failure, StreamFailed) and not isinstance(failure, StreamInterrupted)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a page is applied.

    A page allocates a few hundred thousand objects that all live until it is written, so the
    collections they trigger free next to nothing, yet each walks them all: about a fifth of a
    first pull's time. The collector runs again as soon as the page is written."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stopped_by(stopped: BaseException) -> str:
    """Why a shared read stopped, for the runs of the others it was made for."""
    if isinstance(stopped, StreamFailed | PlanError | SalesforceError):
        return str(stopped)
    return stop_reason(stopped)
