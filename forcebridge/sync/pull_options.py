"""How a pull runs, as its caller asks: read everything again or from the watermarks, for real
or as a rehearsal, and the knobs an operator or the benchmark turns (`FORCEBRIDGE_PULL_*`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from forcebridge.settings import DEFAULT_PULL_BULK_THRESHOLD, Settings
from forcebridge.sync.watermark import DEFAULT_OVERLAP

Progress = Callable[[str, int, int], None]
"""Called after each page: the stream, records read so far, and how many the read holds."""


@dataclass(frozen=True)
class PullOptions:
    full: bool = False
    """Read everything again (the service's own watermarks are ignored, then replaced)."""
    dry_run: bool = False
    """Count and log what would change; change no contact and move no watermark."""
    overlap: dt.timedelta = DEFAULT_OVERLAP
    bulk_threshold: int = DEFAULT_PULL_BULK_THRESHOLD
    """A read holding more records goes through Bulk API 2.0 (`pull_read`)."""
    read_ahead: bool = True
    """Fetch the next page while the current one is applied (off, they alternate)."""
    write_behind: bool = True
    """On PostgreSQL, write a page while the next is decided (`forcebridge.sync.write_behind`;
    off, they alternate: what the benchmark does to time each stage of the engine's work)."""

    @classmethod
    def from_settings(
        cls, settings: Settings, *, full: bool = False, dry_run: bool = False
    ) -> PullOptions:
        """A run's options as the operator configured them (`FORCEBRIDGE_PULL_*`)."""
        return cls(full=full, dry_run=dry_run, bulk_threshold=settings.pull_bulk_threshold)
