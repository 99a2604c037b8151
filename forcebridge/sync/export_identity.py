"""Who is who in one export: the same person, the same company, as plain keys and groups.

People are the same when their emails are (ignoring case, as Salesforce compares them), or,
without an email, when an earlier export made their record or they bear the same first and
last name at the same company name (ignoring case and spacing).
Companies are the same when their websites share a domain (`https://www.Acme.com/about` and
`acme.com` alike) or, for a company without a website, when their names are equal ignoring
case and spacing; a company known only by name joins the one company with a website that
bears that name. Each group is written once, its prospects' fields merged in input order
(the first prospect holding a value for a field gives it) before the mapping's hierarchies
choose among them (`export_plan`); a person works at the company of their first prospect that
names one, known by every row of theirs naming it (`works_at`), and the company fields
(`COMPANY_FIELDS`) of their rows naming another are left out of the merge, so one company
never takes another's phone or website.

Records already in Salesforce are indexed the same way, so a group finds its record by the
Id an earlier export kept (for a company, while that Account still bears its domain or name),
else by email (a person) or by domain, then name ignoring case and spacing (a company). When
several records share a key, the oldest (lowest Id) is the one. A group whose kept Id is found
needs nothing else looked up (`Identities.emails`, `.unmatched`). The people of prospects that
fail on their values are looked up too (`Identities.failing`): whether such a person exists
decides which required fields their failing rows name.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from forcebridge.mapping.prospect_fields import COMPANY_FIELDS
from forcebridge.mapping.rules import is_empty
from forcebridge.store.repositories.prospects import person_name_key
from forcebridge.sync.export_model import ExportObject, ExportProspect


def email_key(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return email.strip().lower()


def website_domain(website: str | None) -> str | None:
    """The host a website names, without `www.`: None when it names none."""
    if website is None or not website.strip():
        return None
    text = website.strip()
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").removeprefix("www.")
    return host if "." in host else None


def collapse_spaces(name: str) -> str:
    """`name` trimmed, each run of whitespace in it one space: how forcebridge writes a name."""
    return " ".join(name.split())


def name_key(name: str | None) -> str | None:
    """A company name compared without regard to case or runs of spaces."""
    if name is None or not name.strip():
        return None
    return collapse_spaces(name).casefold()


@dataclass(frozen=True)
class CompanyKey:
    """How a company is recognised: its domain if it has a website, else its name."""

    domain: str | None
    name: str | None
    """The name as given (the first spelling seen)."""
    spellings: tuple[str, ...] = ()
    """Every spelling of that name among the company's prospects, for the lookup by name."""

    @property
    def name_key(self) -> str | None:
        return name_key(self.name)

    def names_to_look_up(self) -> list[str]:
        """Salesforce compares names ignoring case, not spacing: each spelling is asked for as
        given and with its spaces collapsed (as names are mostly kept), so which finds the
        Account does not depend on which prospect came first."""
        return list(dict.fromkeys(form for s in self.spellings for form in (s, collapse_spaces(s))))


def company_key(website: str | None, name: str | None) -> CompanyKey | None:
    """None for a prospect with neither a usable website nor a company name."""
    domain = website_domain(website)
    if domain is None and name_key(name) is None:
        return None
    given = name.strip() if name and name.strip() else None
    return CompanyKey(domain, given, (given,) if given else ())


def same_company(key: CompanyKey, other: CompanyKey) -> bool:
    """Whether two keys name one company: the same website domain, or the same name ignoring
    case and spacing (as an Account is compared with a company, `is_company`)."""
    if key.domain is not None and key.domain == other.domain:
        return True
    return key.name_key is not None and key.name_key == other.name_key


@dataclass(frozen=True)
class Group:
    """Members (positions in the input) that are one record, first member first."""

    members: tuple[int, ...]

    @property
    def first(self) -> int:
        return self.members[0]


def group_by(keys: Sequence[Hashable | None]) -> list[Group]:
    """Positions sharing a key grouped, in order of first appearance; None keys stay alone."""
    groups: dict[Hashable, list[int]] = {}
    for position, key in enumerate(keys):
        groups.setdefault(("alone", position) if key is None else key, []).append(position)
    return [Group(tuple(members)) for members in groups.values()]


def people(values: Sequence[Mapping[str, Any]], known_ids: Sequence[str | None]) -> list[Group]:
    """Prospects that are one person: same email, else the same record an earlier export made,
    else (without an email) the same name at the same company."""
    return group_by([_person(v, known) for v, known in zip(values, known_ids, strict=True)])


def _person(values: Mapping[str, Any], known_id: str | None) -> Hashable | None:
    if key := email_key(values.get("email")):
        return ("email", key)
    if known_id:
        return ("id", known_id)
    named = person_name_key(values)
    return None if named is None else ("name", named)


def companies(keys: Sequence[CompanyKey | None]) -> list[tuple[Group, CompanyKey]]:
    """Prospects that work at one company, with the company's key (its first domain and first
    name among them, and every spelling of that name); positions with no company key are left
    out."""
    names_with_domain: dict[str, set[str]] = {}
    for key in keys:
        if key is not None and key.domain is not None and key.name_key is not None:
            names_with_domain.setdefault(key.name_key, set()).add(key.domain)
    grouping: list[Hashable | None] = []
    for key in keys:
        if key is None:
            grouping.append(None)
        elif key.domain is not None:
            grouping.append(("domain", key.domain))
        else:
            assert key.name_key is not None
            domains = names_with_domain.get(key.name_key, set())
            grouping.append(
                ("domain", next(iter(domains))) if len(domains) == 1 else ("name", key.name_key)
            )
    found = []
    for group in group_by(grouping):
        members = [key for position in group.members if (key := keys[position]) is not None]
        if members:
            domain = next((k.domain for k in members if k.domain), None)
            name = next((k.name for k in members if k.name), None)
            spellings = (k.name for k in members if k.name and k.name_key == name_key(name))
            found.append((group, CompanyKey(domain, name, tuple(dict.fromkeys(spellings)))))
    return found


# --- who is who in an export -----------------------------------------------------------------


@dataclass(frozen=True)
class Identities:
    """The people among the prospects that can be written and, for a Contact export, the
    companies they work at."""

    people: tuple[Group, ...]
    companies: tuple[tuple[Group, CompanyKey], ...] = ()
    elsewhere: frozenset[int] = frozenset()
    """Positions whose row does not name the company its person works at (it names another,
    or none while another row of the person does): their company fields are not merged."""
    failing: tuple[Group, ...] = ()
    """The people with a row that fails on its values and leaves a field a create requires
    empty, every row of each (writable ones too): looked up with the others, as whether such a
    person would be created decides whether that row names the field (`export_plan`)."""

    @property
    def looked_up(self) -> tuple[Group, ...]:
        """The people whose records the lookup finds: those written, and the `failing`."""
        return self.people + self.failing

    def merged(self, members: Sequence[int], prospects: Sequence[ExportProspect]) -> dict[str, Any]:
        """The members' prospect fields merged in input order, each from the first member
        holding a value for it; company fields only from the members at the person's company."""
        merged: dict[str, Any] = {}
        for member in members:
            for name, value in prospects[member].values.items():
                if name in COMPANY_FIELDS and member in self.elsewhere:
                    continue
                if is_empty(merged.get(name)):
                    merged[name] = value
        return merged

    def person_ids(self, prospects: Sequence[ExportProspect], sobject: str) -> list[str]:
        """The Ids earlier exports kept of the people's records."""
        return [i for g in self.looked_up for i in _kept(g, prospects, sobject) if i is not None]

    def account_ids(self, prospects: Sequence[ExportProspect]) -> list[str]:
        """The Ids earlier exports kept of the companies' Accounts."""
        return [i for g, _ in self.companies for i in _kept(g, prospects) if i is not None]

    def emails(
        self, prospects: Sequence[ExportProspect], sobject: str, found: Collection[str] = ()
    ) -> list[str]:
        """The emails of the people none of whose kept Ids was `found`: a record found by its
        Id is the one (`PersonIndex.match`), so its email need not be looked up."""
        emails = (
            email_key(prospects[g.first].values.get("email"))
            for g in self.looked_up
            if not any(i in found for i in _kept(g, prospects, sobject))
        )
        return [email for email in emails if email]

    def unmatched(
        self, prospects: Sequence[ExportProspect], found: AccountIndex
    ) -> list[CompanyKey]:
        """The companies none of the Accounts `found` so far is: those still to look up."""
        return [
            key
            for group, key in self.companies
            if found.match(key, _kept(group, prospects)) is None
        ]


def known_person_id(prospect: ExportProspect, sobject: str) -> str | None:
    return prospect.lead_id if sobject == ExportObject.LEAD else prospect.contact_id


def _kept(
    group: Group, prospects: Sequence[ExportProspect], sobject: str = ExportObject.ACCOUNT
) -> list[str | None]:
    """The Ids of `sobject` records earlier exports kept for the group's members."""
    return [
        prospects[m].account_id
        if sobject == ExportObject.ACCOUNT
        else known_person_id(prospects[m], sobject)
        for m in group.members
    ]


def _row_company(prospect: ExportProspect) -> CompanyKey | None:
    return company_key(prospect.values.get("company_website"), prospect.values.get("company_name"))


@dataclass(frozen=True)
class WorksAt:
    """The company a person works at, and which of their rows name it."""

    company: CompanyKey | None
    rows: frozenset[int]


def works_at(person: Group, prospects: Sequence[ExportProspect]) -> WorksAt:
    """The company of the person's first row that names one, known by every row of theirs
    naming it: a row shares its domain or its name with the company as the rows before made it
    known (`Mu`, then `Mu, mu.com`, then `Mu Inc, mu.com` are one company at mu.com), so the
    company is found however the rows are ordered, and written once with the other people at
    that domain."""
    named = [(m, key) for m in person.members if (key := _row_company(prospects[m])) is not None]
    if not named:
        return WorksAt(None, frozenset())
    company, rows = named[0][1], {named[0][0]}
    grown = True
    while grown:
        grown = False
        for member, key in named:
            if member not in rows and same_company(company, key):
                company, grown = _joined(company, key), True
                rows.add(member)
    return WorksAt(company, frozenset(rows))


def _joined(company: CompanyKey, row: CompanyKey) -> CompanyKey:
    """The company as known once `row` is found to name it too: its first domain and name."""
    name = company.name or row.name
    spellings = (s for s in (*company.spellings, *row.spellings) if name_key(s) == name_key(name))
    return CompanyKey(company.domain or row.domain, name, tuple(dict.fromkeys(spellings)))


class Checked(Protocol):
    """A prospect as the plan prepared it (`export_prepare.Prepared`): written only without
    errors; with them, `left_empty` the fields a create of its person would miss."""

    @property
    def errors(self) -> Sequence[object]: ...

    @property
    def left_empty(self) -> Sequence[object]: ...


def export_identities(
    prospects: Sequence[ExportProspect], prepared: Sequence[Checked], sobject: str
) -> Identities:
    """Who is who among the prospects that can be written (positions in `prospects`), and
    the people of the failing ones that leave a required field empty."""
    writable = [i for i, p in enumerate(prepared) if not p.errors]
    failing: tuple[Group, ...] = ()
    if any(p.left_empty for p in prepared):
        everyone = people(
            [p.values for p in prospects], [known_person_id(p, sobject) for p in prospects]
        )
        failing = tuple(g for g in everyone if any(prepared[m].left_empty for m in g.members))
    grouped = people(
        [prospects[i].values for i in writable],
        [known_person_id(prospects[i], sobject) for i in writable],
    )
    persons = [Group(tuple(writable[m] for m in group.members)) for group in grouped]
    working = [works_at(person, prospects) for person in persons]
    elsewhere = frozenset(
        m
        for person, where in zip(persons, working, strict=True)
        if where.company is not None
        for m in person.members
        if m not in where.rows
    )
    if sobject != ExportObject.CONTACT:
        return Identities(tuple(persons), elsewhere=elsewhere, failing=failing)
    at = companies([where.company for where in working])
    return Identities(
        tuple(persons),
        tuple(
            (Group(tuple(sorted(m for p in group.members for m in persons[p].members))), key)
            for group, key in at
        ),
        elsewhere,
        failing,
    )


# --- records already in Salesforce ----------------------------------------------------------

Record = Mapping[str, Any]


def is_company(account: Record, key: CompanyKey) -> bool:
    """Whether the Account is the company `key` names: the same website domain, or the same
    name ignoring case and spacing. The Account an earlier export kept for a prospect is its
    company's only while this holds: a person who moved to another company names another, and
    their old company's Account must not take the new one's values."""
    bears = company_key(account.get("Website"), account.get("Name"))
    return bears is not None and same_company(key, bears)


class AccountIndex:
    """Accounts a lookup found, by Id, website domain and name (the oldest Id first)."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.by_id: dict[str, Record] = {}
        self.by_domain: dict[str, Record] = {}
        self.by_name: dict[str, Record] = {}
        for record in sorted(records, key=lambda r: str(r["Id"])):
            self.by_id[str(record["Id"])] = record
            domain = website_domain(record.get("Website"))
            if domain:
                self.by_domain.setdefault(domain, record)
            name = name_key(record.get("Name"))
            if name:
                self.by_name.setdefault(name, record)

    def match(self, key: CompanyKey, known_ids: Iterable[str | None]) -> Record | None:
        """An Account an earlier export made, while it is still the company's, else one
        sharing the domain, else the name."""
        for known in known_ids:
            record = self.by_id.get(known) if known else None
            if record is not None and is_company(record, key):
                return record
        if key.domain and key.domain in self.by_domain:
            return self.by_domain[key.domain]
        if key.name_key and key.name_key in self.by_name:
            return self.by_name[key.name_key]
        return None


class PersonIndex:
    """Leads or Contacts a lookup found, by Id and email (the oldest Id first)."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.by_id: dict[str, Record] = {}
        self.by_email: dict[str, Record] = {}
        for record in sorted(records, key=lambda r: str(r["Id"])):
            self.by_id[str(record["Id"])] = record
            email = email_key(record.get("Email"))
            if email:
                self.by_email.setdefault(email, record)

    def match(self, email: str | None, known_ids: Iterable[str | None]) -> Record | None:
        for known in known_ids:
            if known and known in self.by_id:
                return self.by_id[known]
        key = email_key(email)
        return self.by_email.get(key) if key else None
