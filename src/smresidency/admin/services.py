"""Account administration: roles, disable/enable, reset and set-password links, new accounts.

Each change is audited in the same transaction. Services flush; the request commits.
"""

import secrets

from flask import current_app
from sqlalchemy import func, select

from smresidency.admin import audit
from smresidency.admin.settings import site_settings
from smresidency.auth import services as accounts
from smresidency.auth.models import User, UserRole
from smresidency.extensions import db
from smresidency.mail.services import send_mail
from smresidency.text import printable

LAST_ADMIN = (
    "You are the last active admin: {what} would leave nobody able to administer the site. "
    "Give another person the admin role first."
)
SETUP_LINK_DAYS = 7


class AdminRefusal(Exception):
    """A change the rules forbid; the message is shown to the admin as it is."""


def active_admin_count() -> int:
    """Active accounts holding the admin role."""
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.active.is_(True))
    )


def _guard_last_admin(actor: User, user: User, what: str) -> None:
    """Nobody removes the last way in: the last active admin keeps their role and account."""
    if actor.id == user.id and user.has_role("admin") and active_admin_count() <= 1:
        raise AdminRefusal(LAST_ADMIN.format(what=what))


def change_roles(actor: User, user: User, roles) -> bool:
    """Give the person exactly these roles; False when nothing changed."""
    before, after = sorted(user.roles), sorted(set(roles))
    if before == after:
        return False
    if "admin" not in after:
        _guard_last_admin(actor, user, "removing your own admin role")
    accounts.set_roles(user, after)
    audit.record(actor, "account.roles", user, before={"roles": before}, after={"roles": after})
    return True


def set_active(actor: User, user: User, active: bool) -> bool:
    """Enable, or disable and sign out everywhere; False when it already was so."""
    if user.active == active:
        return False
    if not active:
        _guard_last_admin(actor, user, "disabling your own account")
    accounts.set_active(user, active)  # disabling ends every device session
    audit.record(
        actor,
        "account.enabled" if active else "account.disabled",
        user,
        before={"active": not active},
        after={"active": active},
    )
    return True


def send_reset_link(actor: User, user: User) -> None:
    """Mail the person a single-use link to choose a new password (the auth reset link)."""
    if not user.active:
        raise AdminRefusal("This account is disabled: enable it before sending a reset link.")
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    link = accounts.issue_reset_link(user, max_age)
    site = site_settings().organisation_name
    send_mail(
        user.email,
        f"Choose a new password for {current_app.config['SITE_NAME']}",
        f"Hello {printable(user.name)},\n\nAn administrator of {site} sent you a link to choose "
        f"a new password. Open it within {max_age // 60} minutes:\n\n{link}\n\n"
        "The link works once. Your current password keeps working until you use it.\n",
    )
    audit.record(actor, "account.reset_link", user)


def create_account(actor: User, name: str, email: str, roles) -> User:
    """A new account whose owner sets the password from a mailed link; nobody sees one."""
    unusable = secrets.token_urlsafe(48)  # replaced when the link is used; never shown
    try:
        user = accounts.create_user(email, name, unusable, roles)
    except accounts.AccountError as err:
        raise AdminRefusal(str(err)) from err
    link = accounts.issue_reset_link(user, SETUP_LINK_DAYS * 86400)
    site = site_settings().organisation_name
    send_mail(
        user.email,
        f"Your {current_app.config['SITE_NAME']} account",
        f"Hello {printable(user.name)},\n\nAn administrator of {site} created an account for "
        f"you. Choose your password within {SETUP_LINK_DAYS} days with this link:\n\n{link}\n\n"
        "The link works once. Then sign in with this e-mail address and your new password.\n",
    )
    audit.record(actor, "account.created", user, after={"roles": sorted(user.roles)})
    return user
