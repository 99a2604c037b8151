"""The people who manage an org in the admin pages: created with a password kept only as a hash,
listed, given another role or password, and removed. A new password or a removal ends the
admin's sessions (see `AdminUser.session_epoch`)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue, NotFound
from forcebridge.store.models import AdminRole, AdminUser, Org
from forcebridge.store.passwords import hash_password
from forcebridge.store.repositories.uniqueness import add_unique

MIN_PASSWORD_LENGTH = 12


def normalize_email(email: str) -> str:
    """The address as stored and looked up: checked, then case-folded whole, so one person cannot
    hold two accounts in an org by changing case."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidValue(f"{email!r} is not an email address: {error}") from error
    return checked.normalized.casefold()


def check_password_strength(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}"
        )
    return password


def create_admin(
    session: Session, org: Org, email: str, password: str, role: AdminRole = AdminRole.ADMIN
) -> AdminUser:
    address = normalize_email(email)
    admin = AdminUser(
        org_id=org.id,
        email=address,
        password_hash=hash_password(check_password_strength(password)),
        role=role,
    )
    return add_unique(session, admin, "admin", f"{org.name}/{address}")


def get_admin(session: Session, org: Org, email: str) -> AdminUser:
    address = normalize_email(email)
    admin = session.scalars(
        select(AdminUser).where(AdminUser.org_id == org.id, AdminUser.email == address)
    ).one_or_none()
    if admin is None:
        raise NotFound("admin", f"{org.name}/{address}")
    return admin


def list_admins(session: Session, org: Org) -> list[AdminUser]:
    return list(
        session.scalars(
            select(AdminUser).where(AdminUser.org_id == org.id).order_by(AdminUser.email)
        )
    )


def set_password(session: Session, admin: AdminUser, password: str) -> None:
    """A new password (a leaked one replaced): every session of the admin ends."""
    admin.password_hash = hash_password(check_password_strength(password))
    admin.session_epoch += 1
    session.flush()


def set_role(session: Session, admin: AdminUser, role: AdminRole) -> None:
    """Read at each request: the admin's next page already has the new role."""
    if role is not AdminRole.ADMIN:
        _keep_one_admin(session, admin, "made a viewer")
    admin.role = role
    session.flush()


def remove_admin(session: Session, admin: AdminUser) -> None:
    """Their sessions end at their next request, which finds no account."""
    _keep_one_admin(session, admin, "removed")
    session.delete(admin)
    session.flush()


def _keep_one_admin(session: Session, admin: AdminUser, change: str) -> None:
    """An org keeps someone who may change its connections and settings."""
    if admin.role is not AdminRole.ADMIN:
        return
    others = session.scalars(
        select(AdminUser.id).where(
            AdminUser.org_id == admin.org_id,
            AdminUser.role == AdminRole.ADMIN,
            AdminUser.id != admin.id,
        )
    ).first()
    if others is None:
        raise InvalidValue(
            f"{admin.email} is the org's only admin and cannot be {change}: make another "
            "admin first (forcebridge admin create, or admin role ... admin)"
        )
