"""An org's prospects: saved from exports by email (or, without one, by name and company), and
the Salesforce Ids exports gave them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue
from forcebridge.store.models import Org, Prospect

#: Emails per `IN` list, well under every backend's bound-parameter limit.
LOOKUP_CHUNK = 500

PROSPECT_VALUE_FIELDS = (
    "first_name", "last_name", "email", "direct_phone", "mobile_phone", "job_title",
    "department", "seniority", "linkedin_url", "company_name", "company_website",
    "company_phone", "industry", "employees", "revenue", "street", "city", "state",
    "postal_code", "country",
)  # fmt: skip
"""The columns holding the prospect's own data (the rest are ids and bookkeeping)."""


@dataclass(frozen=True)
class SalesforceIds:
    """The records a prospect became; None leaves what is stored as it is."""

    lead_id: str | None = None
    contact_id: str | None = None
    account_id: str | None = None


def email_key(email: str) -> str:
    """Emails compare without regard to case, as Salesforce compares them."""
    return email.strip().lower()


def prospects_by_email(session: Session, org: Org, emails: Iterable[str]) -> dict[str, Prospect]:
    """The org's prospects with these emails, by `email_key`; the oldest when several share one."""
    keys = sorted({email_key(email) for email in emails})
    found: dict[str, Prospect] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        query = (
            select(Prospect)
            .where(Prospect.org_id == org.id, func.lower(Prospect.email).in_(chunk))
            .order_by(Prospect.id.desc())
        )
        for prospect in session.scalars(query):
            assert prospect.email is not None
            found[email_key(prospect.email)] = prospect
    return found


NameKey = tuple[str, str, str]
_NAMED_BY = ("first_name", "last_name", "company_name", "email")
"""The columns `person_name_key` reads."""


def _folded(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def person_name_key(record: Mapping[str, Any]) -> NameKey | None:
    """What names a prospect without an email: first and last name at a company, compared
    without regard to case or spacing; None without a last name or a company name (a name
    alone is too often shared to stand for one person)."""
    last, company = _folded(record.get("last_name")), _folded(record.get("company_name"))
    if record.get("email") or not last or not company:
        return None
    return (_folded(record.get("first_name")), last, company)


def prospects_by_name(
    session: Session, org: Org, keys: Iterable[NameKey]
) -> dict[NameKey, Prospect]:
    """The org's prospects without an email known by these name keys; the oldest when several
    share one."""
    wanted = set(keys)
    last_names = sorted({key[1] for key in wanted})
    found: dict[NameKey, Prospect] = {}
    for start in range(0, len(last_names), LOOKUP_CHUNK):
        chunk = last_names[start : start + LOOKUP_CHUNK]
        query = (
            select(Prospect)
            .where(
                Prospect.org_id == org.id,
                Prospect.email.is_(None),
                func.lower(Prospect.last_name).in_(chunk),
            )
            .order_by(Prospect.id.desc())
        )
        for prospect in session.scalars(query):
            key = person_name_key({name: getattr(prospect, name) for name in _NAMED_BY})
            if key in wanted:
                found[key] = prospect
    return found


ProspectKey = tuple[str, Any]


def prospect_key(record: Mapping[str, Any]) -> ProspectKey | None:
    """What a prospect is known by: its email, else its `person_name_key`; None when neither."""
    email = record.get("email")
    if email:
        return ("email", email_key(str(email)))
    key = person_name_key(record)
    return None if key is None else ("name", key)


def prospects_by_key(
    session: Session, org: Org, keys: Iterable[ProspectKey | None]
) -> dict[ProspectKey, Prospect]:
    """The org's prospects known by these keys (`prospect_key`)."""
    wanted = [key for key in keys if key is not None]
    by_email = prospects_by_email(session, org, (k[1] for k in wanted if k[0] == "email"))
    by_name = prospects_by_name(session, org, (k[1] for k in wanted if k[0] == "name"))
    return {("email", k): p for k, p in by_email.items()} | {
        ("name", k): p for k, p in by_name.items()
    }


def save_prospects(
    session: Session, org: Org, records: Sequence[Mapping[str, Any]]
) -> list[Prospect]:
    """Each record as a prospect, in order. A record takes over the org's prospect with the same
    `prospect_key` (email, else name at company), else makes a new one; its empty values leave the
    stored ones be. Records known alike are one prospect, the first value given for each field
    winning."""
    for record in records:
        unknown = set(record) - set(PROSPECT_VALUE_FIELDS)
        if unknown:
            raise InvalidValue(f"prospects have no field {', '.join(sorted(unknown))}")
    known = [prospect_key(record) for record in records]
    existing = prospects_by_key(session, org, known)
    given: dict[int, set[str]] = {}
    saved = []
    for record, known_as in zip(records, known, strict=True):
        prospect = existing.get(known_as) if known_as else None
        if prospect is None:
            prospect = Prospect(org_id=org.id)
            session.add(prospect)
            if known_as:
                existing[known_as] = prospect
        taken = given.setdefault(id(prospect), set())
        for name, value in record.items():
            if value is not None and value != "" and name not in taken:
                setattr(prospect, name, value)
                taken.add(name)
        saved.append(prospect)
    session.flush()
    return saved


def get_prospects(session: Session, org: Org, ids: Sequence[int]) -> list[Prospect]:
    """The org's prospects with these ids, in the order asked; an id it lacks is refused."""
    found: dict[int, Prospect] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        query = select(Prospect).where(Prospect.org_id == org.id, Prospect.id.in_(chunk))
        found |= {prospect.id: prospect for prospect in session.scalars(query)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise InvalidValue(f"org {org.name!r} has no prospect {', '.join(missing)}")
    return [found[i] for i in ids]


def salesforce_ids(prospect: Prospect, connection_id: int) -> SalesforceIds:
    """The records the prospect became in the Salesforce org of `connection_id`; none when
    its Ids came from another (an Id means nothing outside the org that made it)."""
    if prospect.salesforce_connection_id != connection_id:
        return SalesforceIds()
    return SalesforceIds(
        prospect.salesforce_lead_id, prospect.salesforce_contact_id, prospect.salesforce_account_id
    )


def keep_salesforce_ids(
    session: Session, connection_id: int, updates: Iterable[tuple[Prospect, SalesforceIds]]
) -> None:
    """Remember what each prospect became through `connection_id`, so its next export there
    updates those records; Ids it had from another connection are forgotten."""
    for prospect, ids in updates:
        if prospect.salesforce_connection_id != connection_id:
            prospect.salesforce_connection_id = connection_id
            prospect.salesforce_lead_id = None
            prospect.salesforce_contact_id = None
            prospect.salesforce_account_id = None
        if ids.lead_id is not None:
            prospect.salesforce_lead_id = ids.lead_id
        if ids.contact_id is not None:
            prospect.salesforce_contact_id = ids.contact_id
        if ids.account_id is not None:
            prospect.salesforce_account_id = ids.account_id
    session.flush()
