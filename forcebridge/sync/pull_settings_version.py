"""A read whose service's pull settings change while it is under way stops for that service.

An admin who saves a mapping, query, routing rule or update-only mode (often right after
connecting, while the first pull reads for minutes) has the service's streams read everything
again under the new settings: the change deletes their watermarks and moves the service's pull
settings version (`reset_watermarks`). The read under way still applies the old settings; were
it to save its next page's watermark, the change would be undone, and the records already read
never read again under the new settings (a newly mapped field left empty, the records a
narrowed rule leaves out still linked). So each of its writes holds the version its member
noted as the read began (`settings_moved`, in the write's own transaction) and writes nothing
for a service whose version has moved: the member stops there, its run failed saying why (a
run stopped before its end, which the next run makes good, as when a lease is lost, not a
problem for a person), and the other services of a shared read carry on. A dry run writes its
rehearsal only, and holds nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from forcebridge.store.repositories.watermarks import settings_moved
from forcebridge.sync.pull_members import Member, StreamInterrupted


class SettingsChanged(StreamInterrupted):
    """The service's pull settings changed during the read: it wrote nothing more for it."""

    def __init__(self) -> None:
        super().__init__(
            "the service's pull settings (its mapping, query, objects, routing rule or "
            "update-only mode) were changed during the read, so it stopped there; the next run "
            "reads every record again under the new settings"
        )


def hold_settings(session: Session, member: Member) -> None:
    """Hold `member`'s service's pull settings version until the transaction ends, or raise
    `SettingsChanged` when it has moved since the read noted it."""
    if settings_moved(session, {member.service.id: member.settings_version}):
        raise SettingsChanged


class StoppedMembers:
    """The members a read stopped because their service's pull settings changed, and why."""

    def __init__(self, session: Session, *, dry_run: bool) -> None:
        self.session = session
        self.dry_run = dry_run
        self.why: dict[int, Exception] = {}
        """By service: its run fails with the reason, as when a read fails for it alone."""

    def noted(self, member: Member) -> int | None:
        """The version `member`'s writes hold (`PageWrite.settings_version`): none in a dry run."""
        return None if self.dry_run else member.settings_version

    def drop(self, members: list[Member], moved: Collection[int]) -> None:
        """Take the members of the services `moved` out of `members`, stopped."""
        for member in members:
            if member.service.id in moved:
                self.why[member.service.id] = SettingsChanged()
        members[:] = [m for m in members if m.service.id not in moved]

    def hold(self, members: list[Member]) -> None:
        """Hold the pull settings of `members` until the session's transaction ends, before it
        writes for them; those whose settings changed are dropped. A dry run holds nothing."""
        if not self.dry_run:
            noted = {m.service.id: m.settings_version for m in members}
            self.drop(members, settings_moved(self.session, noted))
