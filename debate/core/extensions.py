"""Flask extensions, created unbound and initialised in create_app()."""
import json
from contextlib import contextmanager

from flask import g
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
socketio = SocketIO()


class WireJSON:
    """The JSON of Socket.IO packets and of the Redis messages between processes (passed to
    socketio.init_app): compact and UTF-8 as is. The standard module's default escapes every
    non-ASCII character as \\uXXXX, which made a pushed Kazakh or Russian page ~3x larger on
    every socket and in Redis."""

    @staticmethod
    def dumps(obj, **kwargs):
        kwargs.setdefault("separators", (",", ":"))
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(obj, **kwargs)

    @staticmethod
    def loads(s, **kwargs):
        return json.loads(s, **kwargs)


@contextmanager
def read_phase():
    """Work that only reads (parsing and checking an upload), done without holding the write
    lock: the request's transaction so far is ended (it must not have written anything), the
    block's transaction begins as a plain read on SQLite (BEGIN, not BEGIN IMMEDIATE; see
    debate/__init__.py _sqlite_begin) and is ended with the block. The writes after it then take
    the lock for their own short transaction only."""
    db.session.rollback()
    g.read_phase = True
    try:
        yield
    finally:
        db.session.rollback()
        g.read_phase = False
