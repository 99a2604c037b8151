"""Every table of the product, one module per concept; importing this registers them all."""

from forcebridge.store.models.activity_window import ActivityWindow
from forcebridge.store.models.admin_user import AdminRole, AdminUser
from forcebridge.store.models.api_token import ApiToken
from forcebridge.store.models.base import Base
from forcebridge.store.models.connection import (
    AuthMethod,
    Connection,
    ConnectionKind,
    ConnectionStatus,
)
from forcebridge.store.models.contact import Contact, ContactIdentity, ContactMerge
from forcebridge.store.models.custom_field import CustomContactField, CustomFieldType
from forcebridge.store.models.describe_cache import DescribeCacheEntry
from forcebridge.store.models.export_preference import ExportPreference
from forcebridge.store.models.former_link import FormerLink
from forcebridge.store.models.full_read import FullReadSeen
from forcebridge.store.models.lease import Lease
from forcebridge.store.models.login_failure import LoginFailure
from forcebridge.store.models.mapping import Mapping, MappingRow, UpdateOption
from forcebridge.store.models.message import Direction, Message
from forcebridge.store.models.org import Org
from forcebridge.store.models.pending_reread import PendingReread
from forcebridge.store.models.prospect import Prospect
from forcebridge.store.models.run import LogLevel, Run, RunLogEntry, RunStatus
from forcebridge.store.models.schedule import SyncSchedule
from forcebridge.store.models.service import ActivityTarget, PullObjects, Service
from forcebridge.store.models.watermark import Watermark

__all__ = [
    "ActivityTarget",
    "ActivityWindow",
    "AdminRole",
    "AdminUser",
    "ApiToken",
    "AuthMethod",
    "Base",
    "Connection",
    "ConnectionKind",
    "ConnectionStatus",
    "Contact",
    "ContactIdentity",
    "ContactMerge",
    "CustomContactField",
    "CustomFieldType",
    "DescribeCacheEntry",
    "Direction",
    "ExportPreference",
    "FormerLink",
    "FullReadSeen",
    "Lease",
    "LogLevel",
    "LoginFailure",
    "Mapping",
    "MappingRow",
    "Message",
    "Org",
    "PendingReread",
    "Prospect",
    "PullObjects",
    "Run",
    "RunLogEntry",
    "RunStatus",
    "Service",
    "SyncSchedule",
    "UpdateOption",
    "Watermark",
]
