"""A clock tests control, for orgs whose timestamps must be predictable."""

from __future__ import annotations

import datetime as dt

START = dt.datetime(2024, 11, 7, 15, 30, tzinfo=dt.UTC)


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now
