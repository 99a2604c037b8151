"""A new org: the records a data folder's org is founded with, and its admin's username.

Apart from `org` because they are written once, before any request, and hold Salesforce's facts
about a fresh Developer Edition org (its Organization record, its fiscal year, its admin User and
that user's System Administrator Profile) rather than anything a request does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from forcebridge.sandbox.config import DEFAULT_USERNAME
from forcebridge.sandbox.fieldtypes import format_datetime
from forcebridge.sandbox.ids import random_id
from forcebridge.sandbox.records import derived
from forcebridge.sandbox.schema import Schema
from forcebridge.sandbox.storage import Storage
from forcebridge.sandbox.writes import Writes

ADMIN = {
    "Username": DEFAULT_USERNAME,
    "FirstName": "Sandbox",
    "LastName": "Admin",
    "Email": "admin@sandbox.forcebridge.test",
    "Alias": "sadmin",
    "CommunityNickname": "sandbox.admin",
    "LocaleSidKey": "en_US",
    "LanguageLocaleKey": "en_US",
    "EmailEncodingKey": "UTF-8",
}


def bootstrap(
    storage: Storage, schema: Schema, clock: Callable[[], dt.datetime], time_zone: str
) -> None:
    """Give a new org its Organization record (a fiscal year starting in January, as the
    Opportunity's fiscal fields count it) and its admin User, a System Administrator (the
    admin creates itself); nothing for an org that has them. The check and the records are
    one write, so two processes opening a new data folder at once found one org."""
    ZoneInfo(time_zone)  # refuse an unknown zone before anything is written
    user = schema.get("User")
    organization = schema.get("Organization")
    profile = schema.get("Profile")
    assert user is not None and organization is not None and profile is not None
    with storage.write() as conn:
        if storage.meta("org_id"):
            return
        # An org of its own for each data folder, as two Salesforce orgs differ: a client
        # that tells orgs apart by Id (forcebridge's reconnect guard) tells sandboxes apart.
        org_id = random_id(organization.key_prefix)
        (user_id,) = storage.new_ids(conn, user.key_prefix)
        (profile_id,) = storage.new_ids(conn, profile.key_prefix)
        for key, value in (
            ("org_id", org_id),
            ("admin_user_id", user_id),
            ("time_zone", time_zone),
        ):
            storage.set_meta(conn, key, value)
        stamp = format_datetime(clock())
        audit = {
            "CreatedDate": stamp,
            "CreatedById": user_id,
            "LastModifiedDate": stamp,
            "LastModifiedById": user_id,
            "SystemModstamp": stamp,
        }
        storage.insert(
            conn,
            profile,
            {"Id": profile_id, "Name": "System Administrator", "UserType": "Standard", **audit},
        )
        admin = {"Id": user_id, "IsActive": 1, "TimeZoneSidKey": time_zone}
        admin |= {"UserType": "Standard", "ProfileId": profile_id, **ADMIN, **audit}
        storage.insert(conn, user, admin | derived(user, admin))
        storage.insert(
            conn,
            organization,
            {"Id": org_id, "Name": "forcebridge sandbox", "TimeZoneSidKey": time_zone,
             "DefaultLocaleSidKey": "en_US", "LanguageLocaleKey": "en_US",
             "OrganizationType": "Developer Edition", "IsSandbox": 0,
             "FiscalYearStartMonth": 1, "UsesStartDateAsFiscalYearName": 0, **audit},
        )  # fmt: skip


def name_admin(writes: Writes, admin_user_id: str, username: str) -> None:
    """Give the admin User the username it logs in with, as every Salesforce user has: a
    query for the running user's `Username` then answers what the identity service says."""
    user = writes.sobject("User")
    with writes.storage.write() as conn:
        row = writes.storage.fetch(conn, user, admin_user_id)
        if row is not None and row.get("Username") != username:
            writes.update(conn, user, admin_user_id, {"Username": username})
