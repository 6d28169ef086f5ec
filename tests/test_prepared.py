"""Prepared statements give the rows SQLAlchemy would, in the request's transaction, counted."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select

from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.prepared import Prepared

_USERS = select(User.id, User.email, User.active, User.created_at).where(
    User.email == bindparam("email"), User.active.is_(True)
)


def test_rows_match_what_sqlalchemy_returns_with_the_same_types(app, make_user):
    make_user("learner", email="prepared@example.test")
    with app.app_context():
        prepared = Prepared(_USERS)
        expected = db.session.execute(_USERS, {"email": "prepared@example.test"}).one()
        row = prepared.one_or_none({"email": "prepared@example.test"})
        assert tuple(row) == tuple(expected)
        assert row.email == "prepared@example.test" and row.active is True
        assert isinstance(row.created_at, datetime)  # SQLite's text turned into a datetime
        assert prepared.one_or_none({"email": "nobody@example.test"}) is None
        assert prepared.rows({"email": "nobody@example.test"}).first() is None


def test_bound_datetimes_are_converted_as_sqlalchemy_would(app, make_user):
    make_user("learner", email="early@example.test")
    since = select(User.email).where(User.created_at >= bindparam("since"))
    with app.app_context():
        found = Prepared(since).rows({"since": datetime(2000, 1, 1, tzinfo=UTC)})
        assert "early@example.test" in [r.email for r in found]
        assert Prepared(since).rows({"since": datetime(2999, 1, 1, tzinfo=UTC)}) == []


def test_it_runs_in_the_sessions_transaction_and_sees_pending_changes(app):
    with app.app_context():
        db.session.add(User(email="pending@example.test", name="Pending", password_hash="x"))
        # not committed: only the session's own transaction can see it (after the autoflush)
        assert Prepared(_USERS).one_or_none({"email": "pending@example.test"}) is not None
        db.session.rollback()
        assert Prepared(_USERS).one_or_none({"email": "pending@example.test"}) is None


def test_statement_counts_see_it_and_it_is_compiled_once_per_database(app, count_queries):
    prepared = Prepared(_USERS)
    with app.app_context():
        with count_queries() as statements:
            prepared.rows({"email": "a@example.test"})
            prepared.rows({"email": "b@example.test"})
        assert len(statements) == 2
        assert list(prepared._plans) == [db.engine.dialect.name]


def test_a_database_error_is_sqlalchemys_and_an_expanding_list_is_refused(app):
    from sqlalchemy import exc, text

    with app.app_context():
        with pytest.raises(exc.DBAPIError):
            Prepared(select(text("no_such_column")).select_from(User.__table__)).rows({})
        db.session.rollback()
        with pytest.raises(ValueError, match="plain bound values"):
            Prepared(select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))).rows(
                {"ids": [1, 2]}
            )


def test_a_write_is_refused(app):
    from sqlalchemy import update

    with app.app_context(), pytest.raises(ValueError, match="reads"):
        Prepared(update(User).where(User.id == bindparam("uid")).values(name="x")).rows({"uid": 1})


def _checked_out(app) -> int:
    with app.app_context():
        return db.engine.pool.checkedout()


def test_a_get_reads_on_a_lent_connection_and_gives_it_back(app, make_user):
    """A GET's reads do not open the session's transaction; the pool gets its connection back."""
    make_user("learner", email="lent@example.test")
    with app.test_request_context("/", method="GET"):
        before = db.engine.pool.checkedout()
        assert Prepared(_USERS).one_or_none({"email": "lent@example.test"}) is not None
        assert db.engine.pool.checkedout() == before + 1  # lent for the rest of the request
        assert not db.session().in_transaction()  # the session has not begun
        Prepared(_USERS).rows({"email": "lent@example.test"})
        assert db.engine.pool.checkedout() == before + 1  # the same one, not another
    assert _checked_out(app) == before  # returned when the request ended


def test_a_get_that_writes_reads_what_it_wrote(app, make_user):
    """After the session holds a connection, reads go through it and see its changes."""
    make_user("learner", email="before@example.test")
    with app.test_request_context("/", method="GET"):
        assert Prepared(_USERS).one_or_none({"email": "after@example.test"}) is None
        db.session.add(User(email="after@example.test", name="After", password_hash="x"))
        assert Prepared(_USERS).one_or_none({"email": "after@example.test"}) is not None
        db.session.rollback()
        assert Prepared(_USERS).one_or_none({"email": "after@example.test"}) is None


def test_a_post_reads_in_the_sessions_own_transaction(app, make_user):
    make_user("learner", email="post@example.test")
    with app.test_request_context("/", method="POST"):
        before = db.engine.pool.checkedout()
        Prepared(_USERS).rows({"email": "post@example.test"})
        assert db.session().in_transaction()
        assert db.engine.pool.checkedout() == before + 1  # the session's, released by it
        db.session.rollback()


def test_the_lent_connection_comes_back_when_the_request_fails(app, make_user):
    """A request that raises after reading still returns its read connection."""
    make_user("learner", email="fails@example.test")
    before = _checked_out(app)
    with pytest.raises(RuntimeError), app.test_request_context("/", method="GET"):
        Prepared(_USERS).rows({"email": "fails@example.test"})
        raise RuntimeError("after reading")
    assert _checked_out(app) == before


def test_no_connection_is_lent_where_sqlite_keeps_no_wal(tmp_path):
    """Without WAL a reader would hold off the request's own write at commit (and an
    in-memory database has one connection per thread): reads then share the session's."""
    from sqlalchemy import create_engine

    import smresidency.db  # noqa: F401 - its connect listener notes each file's journal mode
    from smresidency.prepared import ReadConnection

    assert ReadConnection.lend(create_engine("sqlite://")) is None
    engine = create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    lent = ReadConnection.lend(engine)
    assert lent is not None and engine.pool.checkedout() == 1
    lent.release()
    assert engine.pool.checkedout() == 0
    engine.dispose()
