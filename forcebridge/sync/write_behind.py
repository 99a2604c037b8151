"""Writing a decided page while the next one is converted, looked up and decided.

Most of a page's writing is the database's own work: rows copied, indexes kept up, foreign
keys checked. PostgreSQL does it in a process of its own, on another core: about half of a
first pull's time, during which the engine's Python waited, as the database waited for it the
rest of the time. On PostgreSQL the `PageWriter` behind a run hands each decided page to a
thread with a connection of its own, which writes the page and commits it with its watermarks
and counts, while the engine goes on with the next page (a first pull 17 to 20% faster,
`bench/pull.py`). SQLite does its work in this process, under the same interpreter: a thread
there only made the two contend, and cost SQLite about a tenth, so it writes in turn.

Pages are written one at a time, in order: a page is handed over only once the page before it
is committed, so at most one page is in flight and a failure stops the writes at the page that
failed, as a run in turn would. The next page's lookups may not see the page in flight; the
run decides on them only when `forcebridge.sync.page_in_flight` says they read the same as they
would once it is committed, and otherwise waits for it (`settled`) and looks again.

A writer also works in the caller's own transaction when told to (`behind=False`): a dry run's
rehearsal keeps its temporary tables on one connection, which a second would not see.

A page writes nothing for a service whose pull settings changed since its read began
(`pull_store.write_held`); the writer tells the read which (`refused`), for it to stop them.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.store.bulk import commit_rereadable
from forcebridge.sync.page_in_flight import InFlight, in_flight
from forcebridge.sync.pull_store import PageWrite, write_held


class PageWriter:
    """Writes decided pages in order, each committed with its watermarks before the next."""

    def __init__(self, session: Session, *, behind: bool) -> None:
        self._session = session
        engine = session.get_bind()
        apart = isinstance(engine, Engine) and engine.dialect.name == "postgresql"
        self._engine = engine if behind and apart else None
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="forcebridge-write-behind")
            if self._engine is not None
            else None
        )
        self._own: Session | None = None
        self._pending: Future[set[int]] | None = None
        self._in_flight: dict[int, InFlight] = {}
        self.refused: set[int] = set()
        """The services whose pages it has refused (their pull settings changed during the
        read), as far as the pages written by now tell."""

    def in_flight(self, service_id: int) -> InFlight | None:
        """What the page being written changes in the service, if one is still in flight."""
        if self._pending is None or self._pending.done():
            return None
        return self._in_flight.get(service_id)

    def submit(self, pages: Sequence[PageWrite]) -> None:
        """Write one read page (its writes for each service) and commit it; behind, once the
        page before it is committed, in the writer's thread."""
        if self._pool is None:
            self.refused |= self._write(self._session, pages)
            return
        self.settled()
        self._in_flight = {page.target.service_id: in_flight(page.changes) for page in pages}
        self._pending = self._pool.submit(self._write_behind, pages)

    def settled(self) -> None:
        """Wait for the page in flight to be committed; its failure is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self.refused |= pending.result()

    def _write_behind(self, pages: Sequence[PageWrite]) -> set[int]:
        if self._own is None:
            self._own = Session(self._engine, expire_on_commit=False)
        try:
            return self._write(self._own, pages)
        except BaseException:
            self._own.rollback()
            raise

    @staticmethod
    def _write(session: Session, pages: Sequence[PageWrite]) -> set[int]:
        refused = write_held(session, pages)
        commit_rereadable(session)
        return refused

    def close(self) -> None:
        """Wait for the page in flight (a failure is raised) and let the thread go."""
        try:
            self.settled()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            if self._own is not None:
                self._own.close()

    def __enter__(self) -> PageWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
