"""The port the rest of the product drives a job engine through.

`forcebridge serve` and `forcebridge worker` start and stop an engine; the admin pages may ask
it to dispatch at once after a change. Neither knows whether streams then run in this process
(the embedded engine) or on workers elsewhere (the distributed one), and `sync` knows neither.
"""

from __future__ import annotations

from typing import Protocol

from forcebridge.jobs.schedules import Claim


class JobEngine(Protocol):
    def dispatch(self) -> list[Claim]:
        """Claim the streams due now and hand each to the engine's runners."""
        ...

    def start(self) -> None:
        """Dispatch periodically in the background until `stop`."""
        ...

    def stop(self) -> None:
        """Stop dispatching and wait for the runs in progress to finish."""
        ...
