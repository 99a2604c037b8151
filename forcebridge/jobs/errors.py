"""What the job engines refuse or cannot find, each with a message an operator can act on."""

from __future__ import annotations


class JobsError(Exception):
    """Base of every error the jobs package raises on purpose."""


class ScheduleMissing(JobsError, LookupError):
    """The stream has no schedule (the service was deleted or does not sync it)."""

    def __init__(self, service_id: int, stream: str) -> None:
        super().__init__(f"service {service_id} has no schedule for stream {stream!r}")


class NoRunner(JobsError, LookupError):
    """No runner is registered for the stream (this installation does not sync it)."""

    def __init__(self, stream: str) -> None:
        super().__init__(
            f"this forcebridge has no runner for stream {stream!r}: upgrade it to the version "
            "the other workers run"
        )
        self.stream = stream


class PostgresRequired(JobsError):
    """The distributed engine was pointed at a database other than PostgreSQL (through
    psycopg); `database` says which ("FORCEBRIDGE_DATABASE_URL names the SQLite file ...")."""

    def __init__(self, database: str) -> None:
        super().__init__(
            f"{database}; workers need PostgreSQL: set FORCEBRIDGE_DATABASE_URL to "
            "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE, or run `forcebridge serve`, which "
            "syncs in-process on SQLite"
        )
