"""Flask-Login wiring: a session holds its device's token, which the database can revoke."""

from flask import Flask
from flask_login import AnonymousUserMixin, user_logged_in
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from smresidency.extensions import db, login_manager


class Anonymous(AnonymousUserMixin):
    """A visitor who is not signed in holds no role."""

    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        return False

    def has_any_role(self, roles) -> bool:
        return False


def init_login_manager(app: Flask) -> None:
    """Bind Flask-Login and resolve sessions by their token."""
    from smresidency.auth.devices import load_device
    from smresidency.auth.models import DEVICE_COOKIE_PREFIX, User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    user_logged_in.connect(_on_sign_in)

    @login_manager.user_loader
    def load_user(token: str):
        # one statement on every request: the user, their roles and the device together
        if token.startswith(DEVICE_COOKIE_PREFIX):
            return load_device(token)
        # a per-user token: a session from before device sessions (and test fixtures)
        return (
            db.session.execute(
                select(User)
                .options(joinedload(User.role_rows))
                .where(User.session_token == token, User.active.is_(True))
            )
            .unique()
            .scalar_one_or_none()
        )


def _on_sign_in(app, user, **extra) -> None:
    """Every sign-in, whichever view performs it, gets its own device session."""
    from smresidency.auth.devices import open_device

    open_device(user)
