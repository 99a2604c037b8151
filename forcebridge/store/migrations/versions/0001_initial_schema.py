"""The initial schema: orgs, connections, services, contact books, messages, sync state, runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _enum(name: str, *values: str) -> sa.Enum:
    """A VARCHAR checked against its values, as the models declare their enums."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _timestamps() -> tuple[sa.Column[object], sa.Column[object]]:
    return (
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "orgs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_orgs"),
        sa.UniqueConstraint("name", name="uq_orgs_name"),
    )
    op.create_table(
        "admin_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", _enum("adminrole", "admin", "viewer"), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_admin_users_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_admin_users"),
        sa.UniqueConstraint("org_id", "email", name="uq_admin_users_org_id_email"),
    )
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            _enum("connectionkind", "production", "sandbox", "mydomain", "forcebridge-sandbox"),
            nullable=False,
        ),
        sa.Column("login_url", sa.String(length=255), nullable=False),
        sa.Column("instance_url", sa.String(length=255), nullable=False),
        sa.Column("api_version", sa.String(length=8), nullable=False),
        sa.Column("auth_method", _enum("authmethod", "web", "jwt", "password"), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("jwt_private_key", sa.Text(), nullable=True),
        sa.Column("salesforce_org_id", sa.String(length=18), nullable=True),
        sa.Column("salesforce_user_id", sa.String(length=18), nullable=True),
        sa.Column("ca_file", sa.Text(), nullable=True),
        sa.Column(
            "status", _enum("connectionstatus", "connected", "needs_attention"), nullable=False
        ),
        sa.Column("status_problem", sa.String(length=32), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_api_usage", sa.Integer(), nullable=True),
        sa.Column("last_api_limit", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_connections_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.UniqueConstraint("org_id", "name", name="uq_connections_org_id_name"),
    )
    op.create_table(
        "export_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("object", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_export_preferences_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_export_preferences"),
        sa.UniqueConstraint("org_id", "object", name="uq_export_preferences_org_id_object"),
    )
    op.create_table(
        "prospects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=True),
        sa.Column("last_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("direct_phone", sa.String(length=255), nullable=True),
        sa.Column("mobile_phone", sa.String(length=255), nullable=True),
        sa.Column("job_title", sa.String(length=255), nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("seniority", sa.String(length=255), nullable=True),
        sa.Column("linkedin_url", sa.String(length=255), nullable=True),
        sa.Column("company_name", sa.String(length=255), nullable=True),
        sa.Column("company_website", sa.String(length=255), nullable=True),
        sa.Column("company_phone", sa.String(length=255), nullable=True),
        sa.Column("industry", sa.String(length=255), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("revenue", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("street", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("postal_code", sa.String(length=255), nullable=True),
        sa.Column("country", sa.String(length=255), nullable=True),
        sa.Column("salesforce_lead_id", sa.String(length=18), nullable=True),
        sa.Column("salesforce_contact_id", sa.String(length=18), nullable=True),
        sa.Column("salesforce_account_id", sa.String(length=18), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_prospects_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_prospects"),
    )
    op.create_index("ix_prospects_org_id", "prospects", ["org_id"])
    op.create_table(
        "describe_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sobject", sa.String(length=255), nullable=False),
        sa.Column("api_version", sa.String(length=8), nullable=False),
        sa.Column("payload", JSON_DOCUMENT, nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name="fk_describe_cache_connection_id_connections",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_describe_cache"),
        sa.UniqueConstraint(
            "connection_id",
            "sobject",
            "api_version",
            name="uq_describe_cache_connection_id_sobject_api_version",
        ),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column(
            "pull_objects",
            _enum("pullobjects", "contacts", "leads", "both", "custom"),
            nullable=False,
        ),
        sa.Column("pull_soql", sa.Text(), nullable=True),
        sa.Column("routing_condition", sa.Text(), nullable=True),
        sa.Column("pull_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("pull_update_only", sa.Boolean(), nullable=False),
        sa.Column(
            "activities_to", _enum("activitytarget", "contacts", "leads", "both"), nullable=False
        ),
        sa.Column("activities_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("task_subject_template", sa.String(length=255), nullable=True),
        sa.Column("task_owner_id", sa.String(length=18), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "(pull_objects = 'custom' AND pull_soql IS NOT NULL)"
            " OR (pull_objects <> 'custom' AND pull_soql IS NULL)",
            name="ck_services_custom_pull_has_soql",
        ),
        sa.CheckConstraint(
            "activities_interval_minutes >= 1", name="ck_services_activities_interval_positive"
        ),
        sa.CheckConstraint("pull_interval_minutes >= 1", name="ck_services_pull_interval_positive"),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name="fk_services_connection_id_connections",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_services_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_services"),
        sa.UniqueConstraint("org_id", "name", name="uq_services_org_id_name"),
    )
    op.create_index("ix_services_connection_id", "services", ["connection_id"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=True),
        sa.Column("last_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("email_normalized", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=255), nullable=True),
        sa.Column("phone_e164", sa.String(length=16), nullable=True),
        sa.Column("mobile_phone", sa.String(length=255), nullable=True),
        sa.Column("mobile_e164", sa.String(length=16), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("company", sa.String(length=255), nullable=True),
        sa.Column("street", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("postal_code", sa.String(length=255), nullable=True),
        sa.Column("country", sa.String(length=255), nullable=True),
        sa.Column("custom", JSON_DOCUMENT, nullable=False),
        sa.Column("deleted_in_source", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_contacts_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
    )
    op.create_index("ix_contacts_service_email", "contacts", ["service_id", "email_normalized"])
    op.create_index("ix_contacts_service_mobile", "contacts", ["service_id", "mobile_e164"])
    op.create_index("ix_contacts_service_phone", "contacts", ["service_id", "phone_e164"])
    op.create_table(
        "custom_contact_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "type",
            _enum(
                "customfieldtype", "text", "number", "date", "datetime", "time", "boolean", "choice"
            ),
            nullable=False,
        ),
        sa.Column("choices", JSON_DOCUMENT, nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_custom_contact_fields_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_custom_contact_fields"),
        sa.UniqueConstraint("service_id", "name", name="uq_custom_contact_fields_service_id_name"),
    )
    op.create_table(
        "leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_leases_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_leases"),
        sa.UniqueConstraint("service_id", "stream", name="uq_leases_service_id_stream"),
    )
    op.create_table(
        "mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("object", sa.String(length=64), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "(service_id IS NULL) <> (org_id IS NULL)", name="ck_mappings_one_owner"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_mappings_org_id_orgs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_mappings_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mappings"),
        sa.UniqueConstraint("org_id", "object", name="uq_mappings_org_id_object"),
        sa.UniqueConstraint("service_id", "object", name="uq_mappings_service_id_object"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            _enum("runstatus", "running", "succeeded", "partial", "failed"),
            nullable=False,
        ),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_runs_org_id_orgs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name="fk_runs_service_id_services", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_org_started_at", "runs", ["org_id", "started_at"])
    op.create_index(
        "ix_runs_service_stream_started_at", "runs", ["service_id", "stream", "started_at"]
    )
    op.create_table(
        "sync_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("backoff_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("interval_minutes >= 1", name="ck_sync_schedules_interval_positive"),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_sync_schedules_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sync_schedules"),
        sa.UniqueConstraint("service_id", "stream", name="uq_sync_schedules_service_id_stream"),
    )
    op.create_index("ix_sync_schedules_due", "sync_schedules", ["enabled", "next_run_at"])
    op.create_table(
        "watermarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("modstamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ids_at_modstamp", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(service_id IS NULL) <> (connection_id IS NULL)", name="ck_watermarks_one_owner"
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name="fk_watermarks_connection_id_connections",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_watermarks_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watermarks"),
        sa.UniqueConstraint("connection_id", "stream", name="uq_watermarks_connection_id_stream"),
        sa.UniqueConstraint("service_id", "stream", name="uq_watermarks_service_id_stream"),
    )
    op.create_table(
        "activity_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("window_date", sa.Date(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("salesforce_task_id", sa.String(length=18), nullable=True),
        sa.Column("target_object", sa.String(length=16), nullable=True),
        sa.Column("target_id", sa.String(length=18), nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parked_reason", sa.Text(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_activity_windows_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_activity_windows_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_activity_windows"),
        sa.UniqueConstraint(
            "contact_id",
            "window_date",
            "part",
            name="uq_activity_windows_contact_id_window_date_part",
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_activity_windows_idempotency_key"),
    )
    op.create_index("ix_activity_windows_service_id", "activity_windows", ["service_id"])
    op.create_table(
        "contact_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name="fk_contact_identities_connection_id_connections",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_contact_identities_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_contact_identities_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contact_identities"),
        sa.UniqueConstraint(
            "service_id",
            "source",
            "external_id",
            name="uq_contact_identities_service_id_source_external_id",
        ),
    )
    op.create_index("ix_contact_identities_connection_id", "contact_identities", ["connection_id"])
    op.create_index("ix_contact_identities_contact_id", "contact_identities", ["contact_id"])
    op.create_table(
        "mapping_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mapping_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column(
            "update_option", _enum("updateoption", "overwrite", "fill_empty"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["mappings.id"],
            name="fk_mapping_rows_mapping_id_mappings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mapping_rows"),
        sa.UniqueConstraint("mapping_id", "position", name="uq_mapping_rows_mapping_id_position"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("direction", _enum("direction", "inbound", "outbound"), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_messages_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_messages_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.UniqueConstraint("service_id", "external_id", name="uq_messages_service_id_external_id"),
    )
    op.create_index("ix_messages_contact_sent_at", "messages", ["contact_id", "sent_at"])
    op.create_index("ix_messages_service_sent_at", "messages", ["service_id", "sent_at"])
    op.create_table(
        "run_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("level", _enum("loglevel", "info", "warning", "error"), nullable=False),
        sa.Column("salesforce_id", sa.String(length=18), nullable=True),
        sa.Column("record_ref", sa.String(length=255), nullable=True),
        sa.Column("field", sa.String(length=255), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_run_log_entries_run_id_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_run_log_entries"),
    )
    op.create_index("ix_run_log_entries_run_id", "run_log_entries", ["run_id"])


def downgrade() -> None:
    op.drop_table("run_log_entries")
    op.drop_table("messages")
    op.drop_table("mapping_rows")
    op.drop_table("contact_identities")
    op.drop_table("activity_windows")
    op.drop_table("watermarks")
    op.drop_table("sync_schedules")
    op.drop_table("runs")
    op.drop_table("mappings")
    op.drop_table("leases")
    op.drop_table("custom_contact_fields")
    op.drop_table("contacts")
    op.drop_table("services")
    op.drop_table("describe_cache")
    op.drop_table("prospects")
    op.drop_table("export_preferences")
    op.drop_table("connections")
    op.drop_table("admin_users")
    op.drop_table("orgs")
