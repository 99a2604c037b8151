"""The composition root the command line, the web app and the workers share.

From `Settings` it builds, once per process, what everything else is handed: the engine (its
database migrated to the latest schema first, so a new data folder just works), a session
factory, the keyring that seals secrets, and logging whose every line passes through the
redaction filter, whichever library wrote it.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import Self, TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from forcebridge.salesforce.redaction import RedactingFilter
from forcebridge.settings import LogLevel, Settings
from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import engine_from_settings, keyring_from_settings, make_sessionmaker
from forcebridge.store.errors import EncryptionError
from forcebridge.store.sealed_keys import check_sealed_keys

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _ProductHandler(logging.StreamHandler[TextIO]):
    """The one handler `configure_logging` installs, found and replaced on a second call.

    Without a stream of its own it writes to whatever `sys.stderr` is at the time of each
    record, not the one at start-up, which a test runner or an embedding tool may have closed.
    """

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream or sys.stderr)
        self._follows_stderr = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follows_stderr:
            self.stream = sys.stderr
        super().emit(record)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: Keyring

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_runtime(settings: Settings, *, log_level: LogLevel = "WARNING") -> Runtime:
    """Everything a process needs to work on the configured database; it logs at
    `FORCEBRIDGE_LOG_LEVEL`, else at `log_level`: WARNING for a command's one task (its
    result is its report), INFO for a process that runs on (`serve`, `worker`)."""
    from forcebridge.store.migrations import upgrade

    configure_logging(settings.log_level or log_level)
    keyring = keyring_from_settings(settings)
    engine = engine_from_settings(settings, keyring)
    upgrade(engine)
    try:
        check_sealed_keys(engine, keyring)
    except EncryptionError:
        engine.dispose()
        raise
    return Runtime(settings, engine, make_sessionmaker(engine), keyring)


def configure_logging(level: LogLevel, stream: TextIO | None = None) -> logging.Handler:
    """Log to `stream` (stderr) at `level`, every record redacted; calling again replaces the
    handler rather than adding a second one."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _ProductHandler)]:
        root.removeHandler(handler)
    handler = _ProductHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # Every start checks the schema; Alembic announcing that it did is not news.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    return handler
