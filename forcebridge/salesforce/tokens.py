"""The tokens a connection holds, and the port through which renewed tokens reach storage.

`TokenSet` never shows its tokens in a repr, so printing or logging one is safe. This package does
not store anything: when a session is renewed it hands the new set to a `TokenSink`, which the
upper layers implement with the encrypted `connections` table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from forcebridge.salesforce.errors import LoginFailed


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint answered, with the org and user it belongs to."""

    access_token: str = field(repr=False)
    instance_url: str
    id_url: str
    issued_at: dt.datetime
    refresh_token: str | None = field(default=None, repr=False)
    scope: str | None = None

    @property
    def org_id(self) -> str:
        return self._id_parts()[0]

    @property
    def user_id(self) -> str:
        return self._id_parts()[1]

    def _id_parts(self) -> tuple[str, str]:
        """The identity URL ends `/id/<org id>/<user id>`."""
        parts = [p for p in urlsplit(self.id_url).path.split("/") if p]
        if len(parts) < 3 or parts[-3] != "id":
            raise LoginFailed(f"unexpected identity URL {self.id_url!r}", error_code="invalid_id")
        return parts[-2], parts[-1]

    @classmethod
    def from_response(
        cls, payload: Mapping[str, Any], *, keep_refresh: str | None = None
    ) -> TokenSet:
        """Parse a token response; a refresh grant answers without a refresh token, so keep ours."""
        missing = [k for k in ("access_token", "instance_url", "id") if not payload.get(k)]
        if missing:
            raise LoginFailed(
                f"the token response lacks {', '.join(missing)}", error_code="invalid_response"
            )
        issued_ms = payload.get("issued_at")
        issued = (
            dt.datetime.fromtimestamp(int(issued_ms) / 1000, tz=dt.UTC)
            if issued_ms
            else dt.datetime.now(dt.UTC)
        )
        tokens = cls(
            access_token=str(payload["access_token"]),
            instance_url=str(payload["instance_url"]).rstrip("/"),
            id_url=str(payload["id"]),
            issued_at=issued,
            refresh_token=payload.get("refresh_token") or keep_refresh,
            scope=payload.get("scope"),
        )
        tokens._id_parts()  # refuse an unreadable identity URL now, not at first use
        return tokens


class TokenSink(Protocol):
    """Told each time a session is renewed, so the new tokens outlive this process."""

    def tokens_renewed(self, tokens: TokenSet) -> None: ...


class InMemoryTokenSink:
    """Keeps every renewed set in order; for tests and one-off scripts."""

    def __init__(self) -> None:
        self.renewed: list[TokenSet] = []

    def tokens_renewed(self, tokens: TokenSet) -> None:
        self.renewed.append(tokens)

    @property
    def latest(self) -> TokenSet | None:
        return self.renewed[-1] if self.renewed else None
