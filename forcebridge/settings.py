"""The product's configuration, from `FORCEBRIDGE_*` environment variables or constructor values.

Secrets are `SecretStr`, so printing or logging the settings shows them masked; the database
URL, which may embed a password, is left out of the representation altogether. Neither is ever
echoed by an error either: a refused setting's input is hidden from the validation error's text
(a traceback shows none), and `CONFIDENTIAL_SETTINGS` tells whoever words the refusal which
inputs not to quote.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from forcebridge.private_files import make_private_folders

if TYPE_CHECKING:
    from sqlalchemy import URL

SECRET_KEY_FILE = "secret.key"  # noqa: S105 - the file's name, not a secret
DATABASE_FILE = "forcebridge.sqlite3"
SALESFORCE_TIMEOUT_MAX = 600
"""The longest `salesforce_timeout`: Salesforce cancels a write after 10 minutes itself."""

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

DEFAULT_PULL_BULK_THRESHOLD = 50_000
"""Above this many records a pull's read costs fewer calls through Bulk API 2.0 (a job, a few
polls, a call per 10,000 rows) than through REST pages of 2,000."""


class SettingsError(Exception):
    """A setting the product cannot start with; the message names it and the fix."""


def _default_database_url(values: dict[str, Any]) -> str:
    return f"sqlite:///{Path(values['data_dir']) / DATABASE_FILE}"


_PASSWORD_PARAMETER = re.compile(r"(?i)([?&](?:password|pass|pwd|sslpassword)=)[^&#]*")


def shown_url(url: str | URL) -> str:
    """`url` as an error may show it: its password as `***`, whether it follows the user's
    colon (everything up to the last `@`, so an unescaped `@` in it hides too) or is given as a
    `password=` parameter, even when the URL does not parse."""
    text = _PASSWORD_PARAMETER.sub(r"\1***", _url_text(url))
    head, at, host = text.rpartition("@")
    if not at:
        return text
    scheme, slashes, user_info = head.partition("://")
    if not slashes:
        scheme, user_info = "", head
    user, colon, _ = user_info.partition(":")
    return f"{scheme}{slashes}{user}{':***' if colon else ''}@{host}"


def without_password(message: str, url: URL) -> str:
    """A driver's `message` about `url` with no part of its password: one holding an unescaped
    `@` is read up to that `@`, the rest taken for the host, which the driver then quotes
    ("failed to resolve host 'rest-of-password@db'")."""
    host = url.host or ""
    if "@" in host:
        message = message.replace(host, "***@" + host.rpartition("@")[2])
    if url.password:
        message = message.replace(str(url.password), "***")
    return message


def _url_text(url: str | URL) -> str:
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


def _database_url_problem(url: str) -> str | None:
    """Why `url` is not a URL SQLAlchemy can open, or None."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    if url != url.strip():
        return "it has a space or a line break before or after it: remove it"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "it is not a database URL"
    except ValueError:  # what SQLAlchemy raises for a port that is not a number
        return "its port is not a number"
    if _in_memory(parsed):
        return (
            "it is an in-memory SQLite database, which forgets everything written to it when "
            "the command ends"
        )
    return None


def _in_memory(url: URL) -> bool:
    """A SQLite URL naming no file (`sqlite://`, `sqlite:///:memory:`, `mode=memory`)."""
    if url.get_backend_name() != "sqlite":
        return False
    database = url.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or url.query.get("mode") == "memory"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FORCEBRIDGE_",
        extra="ignore",
        hide_input_in_errors=True,
        # `FORCEBRIDGE_DATA_DIR=` is unset, as shells read it, not the current folder.
        env_ignore_empty=True,
    )

    data_dir: Path = Path(".forcebridge")
    """Where the embedded database and the generated secret key live."""
    database_url: str = Field(default_factory=_default_database_url, repr=False)
    """SQLAlchemy URL: `sqlite:///PATH` (default: in `data_dir`) or `postgresql+psycopg://...`."""
    secret_key: SecretStr | None = None
    """Seals tokens and client secrets at rest; unset: generated once into `data_dir`."""
    retired_secret_keys: Annotated[list[SecretStr], NoDecode] = []
    """Earlier secret keys, still accepted to open what they sealed: in the environment, one
    key, several separated by commas, or a JSON list."""
    product_name: str = "forcebridge"
    """How the product calls itself to Salesforce users (e.g. "<product> Conversation")."""
    activity_max_attempts: int = Field(default=5, ge=1)
    """Failed writes in a row after which an activity window is parked (shown, not retried)."""
    pull_bulk_threshold: int = Field(default=DEFAULT_PULL_BULK_THRESHOLD, ge=1)
    """The records a pull's read must hold, more than, to go through Bulk API 2.0 rather than
    REST pages: lower it where a large read should cost fewer calls sooner, raise it to keep
    reads ordered (and their watermark moving page by page) longer."""
    log_level: LogLevel | None = None
    """What is logged (on stderr); unset: WARNING for a command that does one thing and ends,
    INFO for `serve` and `worker`, which log what they do as they go (`open_runtime`)."""
    public_url: str | None = None
    """Where admins reach the web UI (e.g. https://forcebridge.example.com): Salesforce sends
    them back to `<public_url>/oauth/callback`, and https makes the session cookie Secure.
    Unset: the address each request came in on."""
    trusted_proxies: str | None = None
    """The reverse proxies (addresses or networks, comma-separated; `*` for any) whose
    `X-Forwarded-For` and `-Proto` headers `serve` believes. Unset: none, so a client cannot
    choose the address the login throttle counts its failures under."""
    salesforce_timeout: float = 120.0
    """Seconds to wait for Salesforce's answer to one request before trying it again (a read,
    an update: twice at most) or giving up (a create, which may have been carried out); the
    client's own default (`salesforce.transport.DEFAULT_READ_TIMEOUT`). Salesforce cancels a
    query after 120 seconds itself and a write after 10 minutes: lower it to fail sooner."""
    sf_client_id: str | None = None
    """The connected app the admin pages connect with when the admin gives no client id."""
    sf_client_secret: SecretStr | None = None
    """That connected app's client secret."""
    sandbox_ca_file: Path | None = None
    """The CA of the forcebridge sandbox the admin pages may connect to; unset: `ca.pem` of
    the sandbox in `data_dir/sandbox`, if there is one."""

    @field_validator("data_dir")
    @classmethod
    def _a_folder(cls, value: Path) -> Path:
        """A file there would fail later, as the secret key or database file "exists"."""
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a folder (name a folder, or one to make)")
        return value

    @field_validator("salesforce_timeout", mode="before")
    @classmethod
    def _seconds_to_wait(cls, value: object) -> float:
        """Refused in words that quote what was given (pydantic's "greater than 0" would hide
        a 0) and that tell nan or inf it is no number of seconds (not that it is over 600)."""
        try:
            seconds = float(value)  # type: ignore[arg-type]  # pydantic hands anything
        except (TypeError, ValueError):
            seconds = math.nan
        if not 0 < seconds <= SALESFORCE_TIMEOUT_MAX:
            raise ValueError(
                f"must be a number of seconds more than 0 and at most "
                f"{SALESFORCE_TIMEOUT_MAX} (not {value!r})"
            )
        return seconds

    @field_validator("database_url")
    @classmethod
    def _parseable_url(cls, value: str) -> str:
        problem = _database_url_problem(value)
        if problem:
            raise ValueError(
                f"{shown_url(value)!r} cannot be used: {problem} (use sqlite:///PATH or "
                "postgresql+psycopg://USER:PASSWORD@HOST[:PORT]/DATABASE)"
            )
        return value

    @field_validator("retired_secret_keys", mode="before")
    @classmethod
    def _key_list(cls, value: object) -> object:
        """The error never quotes the text: it holds the keys."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.startswith("["):
            return [key.strip() for key in text.split(",") if key.strip()]
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            what = error.msg.removesuffix(" at")  # "Unterminated string starting at"
            raise ValueError(
                f"starts with '[' but is not a JSON list ({what} at character "
                f'{error.pos + 1}): write it as ["KEY", ...], or give the keys separated by '
                "commas"
            ) from None

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return log_level(value) if isinstance(value, str) else value


LOG_LEVEL_ALIASES = {"WARN": "WARNING"}
"""Other names Python's logging reads for a level (`logging.WARN`), read the same here."""


def log_level(typed: str) -> LogLevel:
    """The level `typed` names, in any case (`warn` is WARNING). Refused without quoting it:
    the refusal quotes what was typed (`refusal_of`), where pydantic's refusal of the
    upper-cased value would quote `'VERBOSE'` for `verbose`."""
    level = LOG_LEVEL_ALIASES.get(typed.upper(), typed.upper())
    if level not in get_args(LogLevel):
        raise ValueError(f"must be one of {', '.join(get_args(LogLevel))}, in any case")
    return cast("LogLevel", level)


def log_level_setting() -> LogLevel | None:
    """`FORCEBRIDGE_LOG_LEVEL` alone, checked and refused as `Settings` checks it, for a command
    that reads no other setting (`sandbox serve`): a level every other command refuses must not
    be taken quietly there. Unset or empty: None."""
    typed = os.environ.get("FORCEBRIDGE_LOG_LEVEL") or None
    if typed is None:
        return None
    try:
        return log_level(typed)
    except ValueError as error:
        raise ValidationError.from_exception_data(
            Settings.__name__,
            [
                {
                    "type": "value_error",
                    "loc": ("log_level",),
                    "input": typed,
                    "ctx": {"error": error},
                }
            ],
        ) from None


def _holds_secret(annotation: object) -> bool:
    return annotation is SecretStr or any(_holds_secret(arg) for arg in get_args(annotation))


CONFIDENTIAL_SETTINGS = frozenset(
    name for name, field in Settings.model_fields.items() if _holds_secret(field.annotation)
) | {"database_url"}
"""Settings whose value an error must never quote: the keys and secrets (every `SecretStr`
field), and the database URL, which may embed a password (its own errors show it masked)."""


def resolve_secret_key(settings: Settings) -> SecretStr:
    """The configured secret key, or the one in `data_dir`, generated there on first use.

    The file is created complete or not at all (written aside, then linked into place), so two
    processes starting together agree on one key; it is readable by its owner only.
    """
    if settings.secret_key is not None:
        return settings.secret_key
    path = settings.data_dir / SECRET_KEY_FILE
    if not path.exists():
        try:
            _create_secret_key_file(path)
        except OSError as error:
            raise SettingsError(
                f"cannot make the secret key file {path}: {error.strerror} (set "
                "FORCEBRIDGE_DATA_DIR to a folder this user can write, or FORCEBRIDGE_SECRET_KEY)"
            ) from None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SettingsError(
            f"secret key file {path} is readable by others (mode {mode:o}): run chmod 600 {path}"
        )
    key = path.read_text().strip()
    if not key:
        raise SettingsError(
            f"secret key file {path} is empty: restore it from a backup, or delete it to "
            "start afresh (secrets sealed with the old key will have to be entered again)"
        )
    return SecretStr(key)


def _create_secret_key_file(path: Path) -> None:
    make_private_folders(path.parent)
    fd, staging = tempfile.mkstemp(dir=path.parent, prefix=".secret-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(staging, path)
    finally:
        os.unlink(staging)
