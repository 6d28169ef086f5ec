"""Flask-Login wiring: a session holds its device's token, which the database can revoke."""

import time
from collections import namedtuple
from types import MappingProxyType

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, user_logged_in
from flask_login.utils import _create_identifier
from itsdangerous import BadSignature
from sqlalchemy import bindparam, func, inspect, literal_column, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

from smresidency.extensions import db, login_manager
from smresidency.prepared import Prepared


class Anonymous(AnonymousUserMixin):
    """A visitor who is not signed in holds no role."""

    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        return False

    def has_any_role(self, roles) -> bool:
        return False


_PLAIN = frozenset((str, int, float, bool, type(None)))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its signing serializer made once per key set instead
    of twice per request (opening the cookie and saving it), and a cookie whose signature
    was checked kept with its time stamp and contents, so its next request neither checks
    the signature again nor (for a session of plain values) parses the JSON."""

    KEEP = 4096  # checked cookies per worker; all are forgotten when the table is full

    def get_signing_serializer(self, app: Flask):
        return self._made(app)[1]

    def _made(self, app: Flask) -> tuple:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = app.extensions.get("smr_session_serializer")
        if made is None or made[0] != keys:
            serializer = super().get_signing_serializer(app) if app.secret_key else None
            made = (keys, serializer, {})  # a new key set starts with no checked cookie
            app.extensions["smr_session_serializer"] = made
        return made

    def open_session(self, app: Flask, request):
        _, serializer, checked = self._made(app)
        value = request.cookies.get(self.get_cookie_name(app))
        if serializer is None or not value or len(value) > 4096:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        known = checked.get(value)
        if known is not None and 0 <= int(time.time()) - known[0] <= int(max_age):
            kept = known[1]
            if isinstance(kept, MappingProxyType):
                return self.session_class(kept)  # a copy: the request may change its session
            return self.session_class(self.serializer.loads(kept))
        try:
            data, signed_at = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(checked) >= self.KEEP:
            checked.clear()
        # a session of plain values (the usual: user token, CSRF token, flags) is kept as a
        # read-only mapping copied per request; one holding lists (flashes) as its JSON
        plain = all(type(v) in _PLAIN for v in data.values())
        kept = MappingProxyType(dict(data)) if plain else self.serializer.dumps(data)
        checked[value] = (int(signed_at.timestamp()), kept)
        return self.session_class(data)


def init_login_manager(app: Flask) -> None:
    """Bind Flask-Login and resolve sessions by their token."""
    from smresidency.auth.devices import load_device
    from smresidency.auth.models import DEVICE_COOKIE_PREFIX

    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    login_manager._session_identifier_generator = session_identifier
    user_logged_in.connect(_on_sign_in)

    @login_manager.user_loader
    def load_user(token: str):
        # one prepared statement per request: user, roles, device, content and settings versions
        if token.startswith(DEVICE_COOKIE_PREFIX):
            return load_device(token)
        # a per-user token: a session from before device sessions (and test fixtures)
        row = read(statements()[0], {"token": token})
        return None if row is None else attach(row)[0]


_IDENTIFIERS: dict[tuple, str] = {}


def session_identifier() -> str:
    """Flask-Login's session-protection identifier (a hash of address and browser), kept per
    worker for each pair it has seen instead of hashed again on every request."""
    headers = request.headers
    pair = (headers.get("X-Forwarded-For"), request.remote_addr, headers.get("User-Agent"))
    found = _IDENTIFIERS.get(pair)
    if found is None:
        if len(_IDENTIFIERS) >= 4096:
            _IDENTIFIERS.clear()
        found = _IDENTIFIERS[pair] = _create_identifier()
    return found


def statements():
    """Built once per process: the loader runs on every request and must not rebuild them."""
    if not _BUILT:
        _BUILT.extend(_build())
    return _BUILT


def _build():
    """The loader's two statements of plain columns (no ORM entities to load): by a per-user
    token, and by a device token; each reads the role names and the two versions with it."""
    from smresidency.admin.models import SiteSettings
    from smresidency.auth.models import DeviceSession, User, UserRole
    from smresidency.catalog.models import ContentState

    users, devices, held = User.__table__, DeviceSession.__table__, UserRole.__table__
    roles = (
        # the separator as SQL text: a str would be a literal re-rendered on every execution
        select(func.aggregate_strings(held.c.role, literal_column("','")))
        .where(held.c.user_id == users.c.id)
        .scalar_subquery()
    )
    version = select(ContentState.version).where(ContentState.id == 1).scalar_subquery()
    settings = select(SiteSettings.version).where(SiteSettings.id == 1).scalar_subquery()
    extra = (roles, version, settings)
    by_token = select(*users.c, *extra).where(
        users.c.active.is_(True), users.c.session_token == bindparam("token")
    )
    by_device = (
        select(*users.c, *devices.c, *extra)
        .join_from(users, devices, devices.c.user_id == users.c.id)
        .where(users.c.active.is_(True))
        .where(devices.c.token_hash == bindparam("token_hash"))
        .where(devices.c.last_seen_at >= bindparam("seen_after"))
    )
    device = namedtuple("Device", [c.key for c in devices.c])  # views read only its id
    return Prepared(by_token), Prepared(by_device), [c.key for c in users.c], device


_BUILT: list = []


def read(statement: Prepared, params: dict):
    """The loader's one statement, prepared, on the session's connection (the request's
    transaction); pending changes are flushed first, as autoflush would."""
    return statement.one_or_none(params)


def attach(row, with_device: bool = False) -> tuple:
    """The user of a loader row as an object of this request's session, made without SQL, so
    views may change it as if queried, and its device as a plain row (views read its id); the
    request gets the role names and the content and settings versions read with them (the
    caches check theirs against them)."""
    from smresidency.auth.models import User

    user_keys, device = _BUILT[2], _BUILT[3]
    *values, roles, version, settings = row
    user = adopt(User, user_keys, values[: len(user_keys)])
    user.role_names = frozenset(roles.split(",")) if roles else frozenset()
    here = g._get_current_object()  # one context lookup for both
    here.content_version, here.settings_version = version or 0, settings or 0
    if not with_device:
        return (user,)
    return user, device(*values[len(user_keys) :])


def adopt(cls, keys: list, values) -> object:
    """A persistent object of the session from one row's columns, as a query would give it: the
    session's own copy when it holds one already (identity map), else a new one, unchanged."""
    session = db.session()
    mapper = inspect(cls)
    held = session.identity_map.get(mapper.identity_key_from_primary_key((values[0],)))
    if held is not None:
        return held
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(zip(keys, values, strict=True))
    make_transient_to_detached(obj)  # loaded state, no pending change; relationships unloaded
    _attach(session, instance_state(obj))
    return obj


def _attach(session, state) -> None:
    """What Session.add does for an object already persistent (identity map, session id and
    the attach events), without beginning the session's transaction: a page whose reads are
    all prepared statements then never begins one (prepared.py), and the session's teardown
    has nothing to end. The object is the session's as if added: a change to it is flushed
    and committed, its relationships load, a query for it returns it."""
    session.dispatch.before_attach(session, state)
    session.identity_map.add(state)
    state.session_id = session.hash_key
    session.dispatch.after_attach(session, state)
    session.dispatch.detached_to_persistent(session, state)


def _on_sign_in(app, user, **extra) -> None:
    """Every sign-in, whichever view performs it, gets its own device session."""
    from smresidency.auth.devices import open_device

    open_device(user)
