"""API tokens of an org: made (the token handed back once, only its hash kept), listed, found
by the token a request presents, and revoked by name."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from forcebridge.store.errors import NotFound
from forcebridge.store.models import ApiToken, Org
from forcebridge.store.names import check_name
from forcebridge.store.repositories.uniqueness import add_unique

TOKEN_PREFIX = "fbt_"  # noqa: S105 - the prefix every token starts with, not a secret
"""Makes a leaked token recognisable (to a secret scanner, in a log) as forcebridge's."""
TOKEN_BYTES = 32
USE_RECORDED_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, org: Org, name: str) -> tuple[ApiToken, str]:
    """A new token of the org and the token itself, which nothing keeps: show it once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(org_id=org.id, name=check_name("API token", name), token_hash=token_hash(token))
    return add_unique(session, row, "API token", f"{org.name}/{name}"), token


def list_api_tokens(session: Session, org: Org) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.org_id == org.id).order_by(ApiToken.name))
    )


def revoke_api_token(session: Session, org: Org, name: str) -> None:
    """The token stops working at once: the next request presenting it finds nothing."""
    token = session.scalars(
        select(ApiToken).where(ApiToken.org_id == org.id, ApiToken.name == name)
    ).one_or_none()
    if token is None:
        raise NotFound("API token", f"{org.name}/{name}")
    session.delete(token)
    session.flush()


def presented_token(session: Session, token: str) -> ApiToken | None:
    """The token a request presents, if it is one (not revoked)."""
    return session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token))
    ).one_or_none()


def record_use(session: Session, token: ApiToken, now: datetime) -> bool:
    """Note that the token was used, unless that was noted less than a minute ago (a busy
    caller writes once a minute, not on every request); whether it wrote. The UPDATE checks
    again, so of two requests at once only one writes."""
    if token.last_used_at is not None and token.last_used_at > now - USE_RECORDED_EVERY:
        return False
    recorded = session.connection().execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - USE_RECORDED_EVERY,
            ),
        )
        .values(last_used_at=now)
    )
    return bool(recorded.rowcount)
