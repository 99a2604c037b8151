"""Orgs by name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.errors import NotFound
from forcebridge.store.models import Org
from forcebridge.store.names import check_name
from forcebridge.store.repositories.uniqueness import add_unique, named


def create_org(session: Session, name: str) -> Org:
    return add_unique(session, Org(name=check_name("org", name)), "org", name)


def get_org(session: Session, name: str) -> Org:
    org, near = named(session, Org, name)
    if org is None:
        raise NotFound("org", name, near)
    return org


def list_orgs(session: Session) -> list[Org]:
    return list(session.scalars(select(Org).order_by(Org.name)))
