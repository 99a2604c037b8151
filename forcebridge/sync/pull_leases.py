"""The leases a stream's read works under: at most one run per (service, stream) at a time.

A run holds its service's lease, taken by the job engine running it or, for a pull started by
hand, here; and it takes the leases of the other services its read serves, under the name its
own lease is held by, so that a job engine which finds the run dead frees them all at once.
Those taken here are renewed with every page, so a long first pull keeps them, and a holder that
dies lets them expire. Leases live in transactions of their own: callers commit their session
before calling.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from forcebridge.store.repositories.leases import (
    holder_id,
    holder_of,
    release_lease,
    renew_lease,
    take_lease,
)

LEASE_TTL = dt.timedelta(minutes=30)


class StreamLeases:
    def __init__(self, engine: Engine, stream: str) -> None:
        self.engine, self.stream = engine, stream
        self.holder = holder_id()
        self._taken: set[int] = set()
        """The services whose lease this run took."""

    def adopt(self, service_id: int) -> None:
        """Take the other leases under the name of the service's own, held by the job engine
        that runs this read."""
        self.holder = holder_of(self.engine, service_id, self.stream) or self.holder

    def take(self, service_id: int) -> bool:
        """Take the service's lease for this run; False while another run holds it."""
        if not take_lease(self.engine, service_id, self.stream, self.holder, LEASE_TTL):
            return False
        self._taken.add(service_id)
        return True

    def renew(self) -> set[int]:
        """Extend every lease; the services whose lease was lost (their work must stop)."""
        lost = {
            service_id
            for service_id in self._taken
            if not renew_lease(self.engine, service_id, self.stream, self.holder, LEASE_TTL)
        }
        self._taken -= lost
        return lost

    def release(self) -> None:
        for service_id in self._taken:
            release_lease(self.engine, service_id, self.stream, self.holder)
        self._taken.clear()
