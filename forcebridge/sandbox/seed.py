"""Fill an org with realistic, messy CRM data: the records a sync engine must survive.

Accounts with websites, industries and billing addresses; Contacts at shared Accounts; Leads
at companies, some of them already customers; people who look like duplicates (same name,
other email; the same email as Lead and Contact); missing phones and emails; phone numbers
in many national formats; long descriptions; names in several scripts; a few converted Leads.
Timestamps are spread over the past months so incremental queries have something to find.

Faker is slow per call, so it fills small pools once and a seeded `random.Random` combines
them; rows then go straight into storage in bulk. The same seed gives the same records.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from faker import Faker

from forcebridge.sandbox.fieldtypes import format_datetime
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.records import defaults, derived
from forcebridge.sandbox.schema import ObjectSpec

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "ja_JP")
HISTORY_DAYS = 180
LOAD_SPAN = dt.timedelta(seconds=60)
"""The longest a seed's records' `SystemModstamp`s spread before its moment (a millisecond
apart while that fits): well within a pull's overlap, so a pull run just before the seed still
reads every record of it, and no one instant holds more than a few of them."""
POOL = 400
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "web.de", "orange.fr")
DEPARTMENTS = ("Sales", "Marketing", "Finance", "Engineering", "Operations", "Support", "Legal")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")


@dataclass(frozen=True)
class SeedReport:
    accounts: int
    contacts: int
    leads: int
    converted_leads: int
    seconds: float


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    email: str | None
    phone: str | None
    mobile: str | None


class _Pools:
    """Faker's output, drawn once per seed."""

    def __init__(self, seed: int) -> None:
        fake = Faker(list(LOCALES))
        fake.seed_instance(seed)
        us = fake["en_US"]
        self.first = [fake[loc].first_name() for loc in LOCALES for _ in range(POOL // 4)]
        self.last = [fake[loc].last_name() for loc in LOCALES for _ in range(POOL // 4)]
        self.streets = [us.street_address() for _ in range(POOL)]
        self.places = [
            (fake[loc].city(), fake[loc].postcode(), country)
            for loc, country in (
                ("en_US", "United States"),
                ("en_GB", "United Kingdom"),
                ("de_DE", "Germany"),
                ("fr_FR", "France"),
                ("es_ES", "Spain"),
            )
            for _ in range(POOL // 5)
        ]
        self.states = [us.state_abbr() for _ in range(50)]
        self.companies = [us.company() for _ in range(POOL * 2)]
        self.titles = [us.job()[:128] for _ in range(POOL)]
        self.notes = [us.sentence(nb_words=12) for _ in range(POOL)]
        self.long_notes = [us.paragraph(nb_sentences=12) for _ in range(POOL // 4)]


def seed(
    org: Org,
    *,
    contacts: int,
    leads: int,
    accounts: int,
    seed: int,
    loaded_at: dt.datetime | None = None,
) -> SeedReport:
    """Add `accounts` Accounts, `contacts` Contacts and `leads` Leads to `org`, as a load
    written at `loaded_at` (now by default; earlier for an org loaded long before a pull, as
    the benchmarks want: its records are then older than any pull's overlap)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    pools = _Pools(seed)
    now = loaded_at or org.clock()
    schema = org.schema
    account_obj, contact_obj, lead_obj = (schema.get(n) for n in ("Account", "Contact", "Lead"))
    assert account_obj and contact_obj and lead_obj
    with org.storage.write() as conn:
        account_ids = org.storage.new_ids(conn, account_obj.key_prefix, accounts)
        contact_ids = org.storage.new_ids(conn, contact_obj.key_prefix, contacts)
        lead_ids = org.storage.new_ids(conn, lead_obj.key_prefix, leads)
        names = [_company(rng, pools) for _ in account_ids]
        company_of = dict(zip(account_ids, names, strict=True))
        people = _people(rng, pools, contacts)
        rows = _Rows(org, rng, now, accounts + contacts + leads)
        rows.insert(
            account_obj,
            (_account(rng, pools, i, n) for i, n in zip(account_ids, names, strict=True)),
        )
        contact_rows = [
            _contact(rng, pools, i, p, account_ids)
            for i, p in zip(contact_ids, people, strict=True)
        ]
        rows.insert(contact_obj, contact_rows)
        converted = 0
        lead_rows = []
        for lead_id in lead_ids:
            values = _lead(rng, pools, lead_id, people, names)
            if contact_rows and rng.random() < 0.03:
                values |= _converted(rng, contact_rows, company_of, now)
                converted += 1
            lead_rows.append(values)
        rows.insert(lead_obj, lead_rows)
    return SeedReport(accounts, contacts, leads, converted, time.perf_counter() - started)


class _Rows:
    """Complete stored rows (defaults, derived and audit values) written in bulk."""

    def __init__(self, org: Org, rng: random.Random, now: dt.datetime, total: int) -> None:
        self.org, self.rng, self.now = org, rng, now
        self.user = org.admin_user_id
        self.step = min(dt.timedelta(milliseconds=1), LOAD_SPAN / max(total, 1))
        self.left = total
        """Records still to write: each one's `SystemModstamp` a step after the one before."""

    def insert(
        self, obj: ObjectSpec, records: Iterator[dict[str, Any]] | Sequence[dict[str, Any]]
    ) -> None:
        columns = [f.name for f in obj.stored_fields]
        base = defaults(obj, {})
        batch = []
        for values in records:
            row = {**base, **self._audit(), **values}
            row |= derived(obj, row)
            batch.append(tuple(row.get(c) for c in columns))
        self.org.storage.insert_many(self.org.storage.connection(), obj, columns, batch)

    def _audit(self) -> dict[str, Any]:
        """A history of months in `CreatedDate` and `LastModifiedDate`, as a data load that
        sets audit fields writes them; `SystemModstamp` is the moment of the load, as
        Salesforce never lets it be set, so a pull's next increment reads what a seed added."""
        self.left -= 1
        stamp = self.now - self.step * self.left
        created = stamp - dt.timedelta(seconds=self.rng.uniform(0, HISTORY_DAYS * 86400))
        modified = created + (stamp - created) * self.rng.random() ** 3
        return {
            "IsDeleted": 0,
            "CreatedDate": format_datetime(created),
            "CreatedById": self.user,
            "LastModifiedDate": format_datetime(modified),
            "LastModifiedById": self.user,
            "SystemModstamp": format_datetime(stamp),
            "OwnerId": self.user,
        }


def _company(rng: random.Random, pools: _Pools) -> str:
    name = rng.choice(pools.companies)
    return name + rng.choice(("", "", "", " Inc.", " GmbH", " Ltd", " SARL"))


def _website(company: str) -> str:
    slug = "".join(c for c in _ascii(company).lower() if c.isalnum())[:20] or "example"
    return f"www.{slug}.com"


def _account(rng: random.Random, pools: _Pools, record_id: str, name: str) -> dict[str, Any]:
    city, postcode, country = rng.choice(pools.places)
    return {
        "Id": record_id,
        "Name": name,
        "Website": _website(name) if rng.random() < 0.85 else None,
        "Industry": rng.choice(
            ("Technology", "Retail", "Banking", "Healthcare", "Education", None)
        ),
        "Type": rng.choice(("Prospect", "Customer - Direct", "Customer - Channel", None)),
        "Phone": _phone(rng) if rng.random() < 0.8 else None,
        "BillingStreet": rng.choice(pools.streets),
        "BillingCity": city,
        "BillingState": rng.choice(pools.states) if country == "United States" else None,
        "BillingPostalCode": postcode,
        "BillingCountry": country,
        "NumberOfEmployees": rng.choice((None, rng.randint(1, 50), rng.randint(50, 20000))),
        "AnnualRevenue": Decimal(rng.randint(1, 5000) * 10000) if rng.random() < 0.5 else None,
    }


def _people(rng: random.Random, pools: _Pools, count: int) -> list[_Person]:
    """People with messy details; about one in thirty shares an earlier person's name."""
    people: list[_Person] = []
    for n in range(count):
        if people and rng.random() < 0.033:
            twin = rng.choice(people)
            first, last = twin.first, twin.last
        else:
            first, last = rng.choice(pools.first), rng.choice(pools.last)
        email = _email(rng, first, last, n) if rng.random() < 0.9 else None
        phone = _phone(rng) if rng.random() < 0.8 else None
        mobile = _phone(rng) if rng.random() < 0.4 else None
        people.append(_Person(first, last, email, phone, mobile))
    return people


def _contact(
    rng: random.Random, pools: _Pools, record_id: str, person: _Person, account_ids: list[str]
) -> dict[str, Any]:
    city, postcode, country = rng.choice(pools.places)
    return {
        "Id": record_id,
        "FirstName": person.first if rng.random() < 0.97 else None,
        "LastName": person.last,
        "Salutation": rng.choice(SALUTATIONS) if rng.random() < 0.3 else None,
        "Email": person.email,
        "Phone": person.phone,
        "MobilePhone": person.mobile,
        "Title": rng.choice(pools.titles) if rng.random() < 0.7 else None,
        "Department": rng.choice(DEPARTMENTS) if rng.random() < 0.4 else None,
        "AccountId": rng.choice(account_ids) if account_ids and rng.random() < 0.9 else None,
        "MailingStreet": rng.choice(pools.streets) if rng.random() < 0.6 else None,
        "MailingCity": city,
        "MailingPostalCode": postcode,
        "MailingCountry": country,
        "LeadSource": rng.choice(LEAD_SOURCES) if rng.random() < 0.5 else None,
        "Birthdate": _birthdate(rng) if rng.random() < 0.2 else None,
        "Description": _description(rng, pools),
        "HasOptedOutOfEmail": int(rng.random() < 0.05),
        "DoNotCall": int(rng.random() < 0.03),
    }


def _lead(
    rng: random.Random,
    pools: _Pools,
    record_id: str,
    people: list[_Person],
    companies: list[str],
) -> dict[str, Any]:
    """A Lead; some are the same person as a Contact (same email), at a known company."""
    if people and rng.random() < 0.08:
        person = rng.choice(people)
    else:
        (person,) = _people(rng, pools, 1)
    city, postcode, country = rng.choice(pools.places)
    known = companies and rng.random() < 0.3
    return {
        "Id": record_id,
        "FirstName": person.first,
        "LastName": person.last,
        "Email": person.email,
        "Phone": person.phone,
        "MobilePhone": person.mobile,
        "Company": rng.choice(companies) if known else _company(rng, pools),
        "Title": rng.choice(pools.titles) if rng.random() < 0.6 else None,
        "Status": rng.choice(LEAD_STATUSES),
        "LeadSource": rng.choice(LEAD_SOURCES),
        "City": city,
        "PostalCode": postcode,
        "Country": country,
        "Description": _description(rng, pools),
    }


def _converted(
    rng: random.Random,
    contact_rows: list[dict[str, Any]],
    company_of: dict[str, str],
    now: dt.datetime,
) -> dict[str, Any]:
    """Turn a Lead into one already converted into an existing Contact (and its Account)."""
    contact = rng.choice(contact_rows)
    account_id = contact["AccountId"]
    company = company_of[account_id] if account_id else contact["LastName"]
    return {
        "FirstName": contact["FirstName"],
        "LastName": contact["LastName"],
        "Email": contact["Email"],
        "Company": company,
        "Status": "Closed - Converted",
        "IsConverted": 1,
        "ConvertedDate": (now - dt.timedelta(days=rng.randint(1, 60))).date().isoformat(),
        "ConvertedContactId": contact["Id"],
        "ConvertedAccountId": account_id,
    }


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _email(rng: random.Random, first: str, last: str, n: int) -> str:
    local = ".".join(re.findall(r"[a-z]+", _ascii(f"{first} {last}").lower())) or f"user{n}"
    if rng.random() < 0.5:
        local += str(n)
    return f"{local}@{rng.choice(DOMAINS)}"


def _phone(rng: random.Random) -> str:
    """A phone number in one of the formats people actually type."""
    d = rng.randint

    formats = (
        lambda: f"({d(201, 989)}) 555-{d(0, 9999):04d}",
        lambda: f"+1 {d(201, 989)}-555-{d(0, 9999):04d}",
        lambda: f"{d(201, 989)}.555.{d(0, 9999):04d}",
        lambda: f"+44 20 7946 {d(0, 9999):04d}",
        lambda: f"07700 900{d(0, 999):03d}",
        lambda: f"0049 30 {d(1000000, 9999999)}",
        lambda: f"+49 (0)89 {d(100000, 999999)}",
        lambda: f"+33 1 {d(10, 99)} {d(10, 99)} {d(10, 99)} {d(10, 99)}",
        lambda: f"{d(2000000000, 9999999999)}",
    )
    return rng.choice(formats)()


def _birthdate(rng: random.Random) -> str:
    return (dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))).isoformat()


def _description(rng: random.Random, pools: _Pools) -> str | None:
    roll = rng.random()
    if roll < 0.6:
        return None
    if roll < 0.9:
        return rng.choice(pools.notes)
    return " ".join(rng.sample(pools.long_notes, 2))
