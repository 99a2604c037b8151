"""One page of one stream for one service: its records (as `pull_record` reads them) matched
and turned into changes.

Pure decisions over plain data: `decide_page` takes the whole page and what the store holds for
it (`StoreView`, read with one query per key) and returns every change to write
(`PageChanges`). Applying a page a second time finds every record linked and every value equal,
so it changes nothing.

A page may hold one record twice (an imported file with one person in two rows, known by the
same id, email or phone): the later is its twin's update, applied to the contact the first
became (or creates) as it would be at a later run, never a second contact or link for one id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forcebridge.mapping.rules import plan_update
from forcebridge.store.models import LogLevel
from forcebridge.store.repositories.contacts import Identity, StoredContact
from forcebridge.sync.contact_values import (
    created_columns,
    merged_columns,
    typed_values,
    with_changes,
)
from forcebridge.sync.matching import (
    Candidate,
    Candidates,
    Match,
    MatchedBy,
    MatchKeys,
    match_page,
)
from forcebridge.sync.pull_record import Incoming, Target
from forcebridge.sync.pull_report import Code, Note, Outcome, Tally

CONTACT_SOURCE = "salesforce:Contact"
LEAD_SOURCE = "salesforce:Lead"
SALESFORCE_SOURCES = "salesforce:"


@dataclass(frozen=True)
class StoreView:
    """What the store holds for one page, read before deciding."""

    linked: Mapping[str, int]
    """Contact id of each of the page's Salesforce Ids already linked (from the stream's source)."""
    contacts: Mapping[int, StoredContact]
    """Every contact the page may touch: linked ones and those sharing a phone or email."""
    identities: Mapping[int, Sequence[Identity]]
    """The identities of those contacts."""
    converted: Mapping[str, int] = field(default_factory=dict)
    """Contact id of each Contact that a converted Lead of the page became, already linked
    (those contacts are among `contacts`)."""
    formerly: Mapping[str, int] = field(default_factory=dict)
    """Contact id each of the page's live Salesforce Ids not linked now was linked to before
    a run unlinked it (those contacts are among `contacts`, with their identities)."""


@dataclass
class PageChanges:
    creates: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    """Each new contact's columns and the Salesforce Id to link it to."""
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Each changed contact's complete new columns."""
    links: list[Identity] = field(default_factory=list)
    unlinks: list[str] = field(default_factory=list)
    """Salesforce Ids (of the stream's source) to unlink from their contacts."""
    left: dict[str, int] = field(default_factory=dict)
    """The contact each record of `unlinks` that may come back leaves, by its Salesforce Id
    (deleted, or out of the service's records; not a converted Lead, read-only for good):
    remembered, so that the record, undeleted or back in the service's records, is that
    contact again (`matching`)."""
    back: list[str] = field(default_factory=list)
    """Salesforce Ids of records linked again that had a former link, which goes."""
    rereads: list[tuple[str, str]] = field(default_factory=list)
    """`(source, Salesforce Id)`: records to read again by Id at their stream's next run. A
    Lead whose person's Contact was unlinked: its values are the contact's again, though the
    Lead itself did not change. A Contact a converted Lead handed its contact to: the Lead
    stream cannot tell whether the service's rule admits it."""
    merges: list[tuple[int, int]] = field(default_factory=list)
    """`(merged, kept)`: contacts that are one person, the first merged into the second."""
    never_linked: list[str] = field(default_factory=list)
    """Deleted records no contact is linked to (a first pull reads the recycle bin through
    `queryAll`; a record an earlier run unlinked is read again within the watermark's
    overlap): nothing to do, each counted skipped, without a note each (an org may have tens of
    thousands); see `never_linked_note`."""
    notes: list[Note] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


def never_linked_note(record_id: str) -> Note:
    """The one log entry a run gives the deleted records no contact is linked to
    (`PageChanges.never_linked`), naming the first: one each would bury the rest of the log.
    Whether a contact ever was is not known then, so it is not said: the code keeps its name."""
    message = (
        "deleted in Salesforce, and no contact of the service is linked to it now (a record of "
        "the recycle bin, or one an earlier run already unlinked, read again within the "
        "watermark's overlap): nothing to do, skipped; every such record of the run is counted "
        "skipped, and only this first one logged"
    )
    return Note(LogLevel.INFO, Code.DELETED_NEVER_LINKED, message, record_id)


def decide_page(records: Sequence[Incoming], view: StoreView, target: Target) -> PageChanges:
    """Every change the page makes to `target`'s contact book; see the module docstring."""
    return _Decision(view, target).run(records)


class _Decision:
    def __init__(self, view: StoreView, target: Target) -> None:
        self.view, self.target = view, target
        self.changes = PageChanges()
        self.images: dict[int, Mapping[str, Any]] = {}
        """Contacts changed so far in the page, by id: their new columns."""
        self.sources = {
            cid: {(i.source, i.external_id) for i in found}
            for cid, found in view.identities.items()
        }
        self.converted = dict(view.converted)
        self.placed: dict[str, int] = {}
        """The contact each live record of the page went to, by external id."""
        self.created: dict[str, int] = {}
        """Where each record that creates a contact stands in `changes.creates`, by external id."""

    def run(self, records: Sequence[Incoming]) -> PageChanges:
        live: dict[str, MatchKeys] = {}
        for r in records:
            if not r.deleted and r.converted_to is None:
                live.setdefault(r.external_id, r.match_keys)  # a twin is matched as its first
        gone = {r.external_id for r in records if r.deleted}
        found = match_page(list(live.values()), self._candidates(gone))
        matches = dict(zip(live, found, strict=True))
        for record in records:
            self.changes.notes.extend(record.notes)
            outcome: Outcome | None
            if record.deleted:
                outcome = self._deleted(record)
            elif record.converted_to is not None:
                outcome = self._converted(record, record.converted_to)
            elif record.external_id in self.created:
                outcome = self._twin_of_created(record)
            elif record.external_id in self.placed:
                outcome = self._live(record, Match(self.placed[record.external_id], MatchedBy.ID))
            else:
                outcome = self._live(record, matches[record.external_id])
            if outcome is not None:
                self.changes.tally.count(outcome)
        self.changes.updates = {cid: dict(image) for cid, image in self.images.items()}
        return self.changes

    def _candidates(self, gone: set[str]) -> Candidates:
        """Every contact the page may match; one linked to a record of the stream's source is
        marked so (the page's own records' contacts are, whether their identities were read or
        not), as matching never takes it for another record. A link to a record the page
        deletes (`gone`) does not count: a Contact deleted and made again with the same email
        between two reads is the same person, not a second contact."""
        source = self.target.source
        linked = {cid for sid, cid in self.view.linked.items() if sid not in gone}
        return Candidates(
            self.view.linked,
            formerly=self.view.formerly,
            contacts=[
                Candidate(
                    contact.id,
                    contact.phones,
                    contact.values.get("email_normalized"),
                    linked=contact.id in linked
                    or any(
                        s == source and e not in gone for s, e in self.sources.get(contact.id, ())
                    ),
                )
                for contact in self.view.contacts.values()
            ],
        )

    def _columns(self, contact_id: int) -> Mapping[str, Any]:
        """The contact's columns as the page has left them so far."""
        return self.images.get(contact_id) or self.view.contacts[contact_id].values

    def _link(self, contact_id: int, source: str, external_id: str) -> None:
        self.changes.links.append(
            Identity(contact_id, source, external_id, self.target.connection_id)
        )
        self.sources.setdefault(contact_id, set()).add((source, external_id))

    def _live(self, record: Incoming, match: Match) -> Outcome:
        sid = record.external_id
        if match.others:
            others = ", ".join(f"#{cid}" for cid in match.others)
            message = f"matched contact #{match.contact_id} by {match.by}; also matched {others}"
            self._note(LogLevel.WARNING, Code.AMBIGUOUS_MATCH, message, sid)
        if match.contact_id is None:
            if self.target.update_only:
                message = "no contact matches and the service only updates existing contacts"
                self._note(LogLevel.INFO, Code.UPDATE_ONLY, message, sid)
                return Outcome.SKIPPED
            new = created_columns(record.values, self.target.fields, record.keys)
            self.created[sid] = len(self.changes.creates)
            self.changes.creates.append((new, sid))
            self._back(sid)
            return Outcome.CREATED
        cid = match.contact_id
        self.placed[sid] = cid
        if match.by is MatchedBy.FORMER_LINK:
            message = (
                "back among the service's records (undeleted in Salesforce, or admitted again "
                f"by its query or routing rule): linked again to contact #{cid}, the contact it "
                "was linked to before, with its conversations"
            )
            self._note(LogLevel.INFO, Code.RELINKED, message, sid)
        columns = self._columns(cid)
        values = {} if self._contact_wins(cid) else record.values
        changes = plan_update(values, typed_values(columns, self.target.fields))
        linking = match.by is not MatchedBy.ID
        revived = bool(columns.get("deleted_in_source"))
        if not (changes or linking or revived):
            return Outcome.UNCHANGED
        image = with_changes(columns, changes, self.target.fields, record.keys)
        image["deleted_in_source"] = False
        self.images[cid] = image
        if linking:
            self._link(cid, self.target.source, sid)
            self._back(sid)
        return Outcome.UPDATED

    def _back(self, sid: str) -> None:
        """The record is linked again: its former link, if it had one, goes."""
        if sid in self.view.formerly:
            self.changes.back.append(sid)

    def _twin_of_created(self, record: Incoming) -> Outcome:
        """A record the page already creates a contact for: its values change that contact as
        they would change it stored (`_live`), so the record keeps one contact and one link."""
        at = self.created[record.external_id]
        columns, sid = self.changes.creates[at]
        changes = plan_update(record.values, typed_values(columns, self.target.fields))
        if not changes:
            return Outcome.UNCHANGED
        image = with_changes(columns, changes, self.target.fields, record.keys)
        self.changes.creates[at] = (image, sid)
        return Outcome.UPDATED

    def _contact_wins(self, contact_id: int) -> bool:
        """Whether the person is also a Salesforce Contact, whose values are theirs: a Lead of
        the same person then changes none of them, so they do not depend on which record
        changed last (the Lead is the older, sales-prospect view; activities choose the
        Contact too). Even an empty field stays the Contact's: a Lead filling it would be
        emptied again by the Contact's next change."""
        return self.target.source == LEAD_SOURCE and any(
            source == CONTACT_SOURCE for source, _ in self.sources.get(contact_id, ())
        )

    def _deleted(self, record: Incoming) -> Outcome | None:
        """Unlink the record; mark its contact once no Salesforce record is left linked. A
        record that left the scope and was never linked is none of this service's business;
        one deleted and never linked was read for the service, with nothing to do: skipped."""
        cid = self.view.linked.get(record.external_id)
        if cid is None:
            if record.left_scope:
                return None
            self.changes.never_linked.append(record.external_id)
            return Outcome.SKIPPED
        if record.left_scope:
            message = (
                "no longer among the service's records in Salesforce (deleted for good, a "
                "converted Lead whose Contact was deleted, or outside its query or routing "
                "rule); unlinked"
            )
            self._note(LogLevel.INFO, Code.LEFT_SCOPE, message, record.external_id)
        else:
            message = "deleted in Salesforce; unlinked"
            self._note(LogLevel.INFO, Code.DELETED, message, record.external_id)
        self.changes.unlinks.append(record.external_id)
        self.changes.left[record.external_id] = cid
        remaining = self.sources.get(cid, set())
        remaining.discard((self.target.source, record.external_id))
        if not any(source.startswith(SALESFORCE_SOURCES) for source, _ in remaining):
            self.images[cid] = {**self._columns(cid), "deleted_in_source": True}
        elif self.target.source == CONTACT_SOURCE and not any(
            source == CONTACT_SOURCE for source, _ in remaining
        ):
            self.changes.rereads += sorted((s, sid) for s, sid in remaining if s == LEAD_SOURCE)
        return Outcome.UPDATED

    def _converted(self, record: Incoming, contact_sid: str) -> Outcome:
        """A converted Lead hands its identity to its Contact: the Lead, read-only in
        Salesforce from then on (its activities moved to the Contact), is unlinked, and its
        contact is linked to the Contact, or merged into the contact already standing for it."""
        lead_contact = self.view.linked.get(record.external_id)
        if lead_contact is None:
            return Outcome.UNCHANGED
        self.changes.unlinks.append(record.external_id)
        self.sources.get(lead_contact, set()).discard((self.target.source, record.external_id))
        owner = self.converted.get(contact_sid)
        beside = self._other_contacts(lead_contact, contact_sid)
        if beside:
            return self._kept_apart(record, contact_sid, owner, lead_contact, beside[0])
        if owner is None:
            self._link(lead_contact, CONTACT_SOURCE, contact_sid)
            self.converted[contact_sid] = lead_contact
            if self.target.contacts_pulled:
                self.changes.rereads.append((CONTACT_SOURCE, contact_sid))
        elif owner != lead_contact:
            return self._merge(record, contact_sid, lead_contact, owner)
        return Outcome.UPDATED

    def _kept_apart(
        self, record: Incoming, contact_sid: str, owner: int | None, lead_contact: int, other: str
    ) -> Outcome:
        """The Lead became a second Contact of a person whose contact stands for `other`:
        that contact stays `other`'s, and `contact_sid` has (or will get) a contact of its
        own, as any two Contacts do. Only the Lead's link goes."""
        into, apart = (
            (f"a new Contact, {contact_sid},", f"Contact {contact_sid} gets a contact of its own")
            if owner is None
            else (f"Contact {contact_sid} (contact #{owner})", "the two contacts stay apart")
        )
        message = (
            f"the Lead was converted into {into} while its contact #{lead_contact} stands for "
            f"Contact {other}: the Lead is unlinked and {apart} (merge the two Contacts in "
            "Salesforce if they are one person)"
        )
        self._note(LogLevel.WARNING, Code.CONVERTED_INTO_DUPLICATE, message, record.external_id)
        return Outcome.UPDATED

    def _other_contacts(self, contact_id: int, contact_sid: str) -> list[str]:
        """The Salesforce Contacts other than `contact_sid` that the contact stands for. Its
        Lead converted into a new Contact made the person a duplicate in Salesforce: linking
        both Contacts to one contact would have each of them overwrite it in turn."""
        return sorted(
            sid
            for source, sid in self.sources.get(contact_id, ())
            if source == CONTACT_SOURCE and sid != contact_sid
        )

    def _merge(self, record: Incoming, contact_sid: str, lead_contact: int, owner: int) -> Outcome:
        """The Lead was converted into a Contact another contact already stands for: one
        person, so the two contacts become one (see
        `forcebridge.store.repositories.contact_merges`). The older stays, the id the product
        has known longest, whichever record it came from: under the scheduler the Contact
        stream may read the new Contact (and make it a contact) before the Lead stream reads
        the conversion. The Contact's values win, the Lead's contact filling what it lacks."""
        lead_values = self.images.pop(lead_contact, None) or self.view.contacts[lead_contact].values
        contact_values = self.images.pop(owner, None) or self.view.contacts[owner].values
        kept, gone = sorted((lead_contact, owner))
        self.images[kept] = merged_columns(contact_values, lead_values)
        self.changes.merges.append((gone, kept))
        self.sources.setdefault(kept, set()).update(self.sources.pop(gone, set()))
        for sid, cid in self.converted.items():
            if cid == gone:
                self.converted[sid] = kept
        message = (
            f"the Lead was converted into Contact {contact_sid}, which is contact #{owner}: "
            f"contacts #{lead_contact} (the Lead's) and #{owner} are one person, merged into "
            f"#{kept} with their conversations"
        )
        self._note(LogLevel.INFO, Code.MERGED, message, record.external_id)
        return Outcome.UPDATED

    def _note(self, level: LogLevel, code: Code, message: str, record_id: str) -> None:
        self.changes.notes.append(Note(level, code, message, record_id))
