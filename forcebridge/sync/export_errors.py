"""Why an export as a whole is refused; each message says what to do about it.

Problems with single prospects are not exceptions: they come back as that prospect's result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ExportError(Exception):
    """Base of every refusal of a whole export."""


class ObjectNotAllowed(ExportError):
    """The org's export preferences do not allow this object."""

    def __init__(self, org: str, sobject: str, allowed: Sequence[str]) -> None:
        listed = ", ".join(allowed) if allowed else "nothing yet"
        super().__init__(
            f"org {org!r} does not allow exporting to {sobject} (allowed: {listed}); an admin "
            f"can allow it with: forcebridge export allow --org {org} {sobject}"
        )
        self.sobject = sobject


class UnknownObject(ExportError):
    """An object an export cannot write to at all."""


class MappingNotValid(ExportError):
    """The org's mappings for the objects an export writes do not verify against the live
    describes: every problem of each, by object, so one fix-and-retry fixes them all."""

    def __init__(self, problems: Mapping[str, Sequence[str]]) -> None:
        self.problems = {sobject: tuple(found) for sobject, found in problems.items()}
        super().__init__(
            "; ".join(
                f"the {sobject} export mapping needs fixing before exporting: " + "; ".join(found)
                for sobject, found in self.problems.items()
            )
        )


class ProspectFileError(ExportError):
    """A prospect file that cannot be read at all (as opposed to a bad row in it)."""


class ExportRunning(ExportError):
    """Another export of the org is running: this one would make the records it makes again."""

    def __init__(self, org: str, run_id: int | None, *, dry_run: bool) -> None:
        self.run_id = run_id
        what = "a dry run of an export" if dry_run else "an export"
        going = (
            f"is running (run {run_id}; forcebridge runs show {run_id})"
            if run_id is not None
            else "is starting (its run is not recorded yet)"
        )
        why = (
            ""
            if dry_run
            else ", and two exports at once would each make the records the other makes: nothing"
            " was exported"
        )
        super().__init__(f"{what} of org {org!r} {going}{why}; try again once it has finished")
