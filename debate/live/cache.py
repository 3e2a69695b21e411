"""What spectators see, rendered once per change instead of once per phone.

After every release or confirmed result each open public page re-fetches its live.json at about
the same moment (static/js/live.js); a thousand phones made a thousand identical renders. Rendered
public parts and responses are therefore cached in each process, keyed by (what was asked,
language, **public version**), and the version changes after every commit that wrote anything a
spectator might see.

The version cannot go stale the way a hand-kept list of "events" could: it is not bumped where
the code announces a change, but by SQLAlchemy engine and pool hooks on *every* committed write
statement (ORM flushes, bulk and text() statements, a Connection used directly: anything the
app's engines execute) to any table except the few that never reach a public page (accounts,
tokens, login attempts, problem reports, the audit log). Releases, confirmations, corrections,
silent toggles, renamed teams, edited motions, settings, deleted rounds... all bump it. The
audit log could not serve: releasing the standings, editing a motion or a team, changing a
setting write no audit entry. A write is noted on its DBAPI connection; the commit marks it
done (a savepoint release does not; a rollback forgets it); the bump happens when the
connection goes back to the pool, which the Session does inside commit().

Where the version lives: with REDIS_URL, a Redis counter "<SOCKETIO_CHANNEL>:public-version"
(INCR after the commit, GET at the start of each public request, so every process agrees);
always also a counter in this process. The bump happens after the commit and before the code
that committed emits its Socket.IO event, so a client told of a change always asks with the new
version. A request reads the version before it reads the database, so what it caches under a
version is never older than that version. If Redis cannot be reached the cache is bypassed
(rendered fresh), never trusted.

Writes that bypass this process's engines and Redis (psql by hand, a CLI run without the
servers' REDIS_URL) are not seen; entries also expire after PUBLIC_CACHE_SECONDS (default 10)
to bound that case.
"""
from __future__ import annotations

import logging
import re
import threading
import time

import redis
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

log = logging.getLogger("debate.live.cache")

# Tables no public page reads. Everything else counts as public (when unsure, invalidate).
PRIVATE_TABLES = frozenset({"users", "tournament_members", "api_tokens", "login_attempts", "problem_reports",
                            "audit_log"})
_EXT = "debate_public_cache"
MAX_ENTRIES = 512
MISS = object()

_local_version = 0
_local_lock = threading.Lock()


# ----- noticing writes -----

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z_][A-Za-z0-9_]*)', re.I)
_READ = ("SELECT", "BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SHOW", "SET", "EXPLAIN")
_WROTE, _COMMITTED = "debate_public_wrote", "debate_public_committed"


def writes_public(statement: str) -> bool:
    """Whether a SQL statement may change what a spectator sees (when unsure: yes)."""
    m = _WRITE.match(statement)
    if m:
        return m.group(1).lower() not in PRIVATE_TABLES
    return not statement.lstrip().upper().startswith(_READ)  # DDL, TRUNCATE, a CTE, ...: assume so


# A statement known to touch only what spectators never see, although its table is otherwise
# public, says so with .execution_options(**NOT_PUBLIC): a new ballot is stored as 'submitted' and
# public pages show only confirmed results, so a round's ballots arriving must not empty the cache
# (and cost a Redis INCR) a hundred times. Confirming one still bumps the version.
NOT_PUBLIC = {"debate_not_public": True}


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, _cursor, statement, _parameters, context, _executemany):
    if conn.info.get(_WROTE) or not writes_public(statement):
        return
    if context is not None and context.execution_options.get("debate_not_public"):
        return
    conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
def _note_commit(conn):
    if conn.info.pop(_WROTE, False):
        conn.info[_COMMITTED] = True


@event.listens_for(Engine, "rollback")
def _note_rollback(conn):
    conn.info.pop(_WROTE, None)


@event.listens_for(Pool, "checkin")
def _on_checkin(_dbapi_connection, record):
    info = getattr(record, "info", None)
    if info is None:
        return
    info.pop(_WROTE, None)  # returned without commit: rolled back by the pool
    if info.pop(_COMMITTED, False):
        bump()


def bump():
    """The public state changed (called after the commit)."""
    global _local_version
    with _local_lock:
        _local_version += 1
    if not has_app_context():
        return
    store = current_app.extensions.get(_EXT)
    if store is not None and store.redis is not None:
        try:
            store.redis.incr(store.key)
        except Exception:  # Redis down: readers cannot reach it either and bypass the cache
            log.exception("could not bump the public version in Redis")


# ----- the cache -----

class PublicCache:
    def __init__(self, app):
        self.ttl = float(app.config.get("PUBLIC_CACHE_SECONDS", 10))
        self.key = f"{app.config['SOCKETIO_CHANNEL']}:public-version"
        self.redis = None
        if app.config.get("REDIS_URL") and self.ttl > 0:
            # A few connections, shared: a herd of a thousand requests must not open a thousand
            # (measured: 300 concurrent fetches took 4x longer with a connection each).
            pool = redis.BlockingConnectionPool.from_url(app.config["REDIS_URL"], max_connections=8, timeout=2,
                                                         socket_timeout=2, socket_connect_timeout=2)
            self.redis = redis.Redis(connection_pool=pool)
        self.entries: dict = {}
        self.locks: dict = {}
        self.stats = {"hits": 0, "misses": 0, "bypass": 0}

    def version(self):
        """The current public version, or None when it cannot be known (then do not cache)."""
        if self.ttl <= 0:
            return None
        local = _local_version
        if self.redis is None:
            return (local,)
        try:
            shared = self.redis.get(self.key)
        except Exception:
            log.warning("Redis unreachable: public pages are rendered without the cache")
            return None
        return (int(shared or 0), local)

    def peek(self, key):
        """The fresh entry for key, or MISS (never builds)."""
        hit = self.entries.get(key)
        if hit is not None and hit[1] > time.monotonic():
            self.stats["hits"] += 1
            return hit[0]
        return MISS

    def get(self, key, build):
        """build() once per key while it is fresh; concurrent requests for a missing key wait for
        the one that renders it (a herd renders once). key[0] must be version(); key=None (the
        version is unknown): build, do not cache."""
        if key is None:
            self.stats["bypass"] += 1
            return build()
        hit = self.entries.get(key)
        if hit is not None and hit[1] > time.monotonic():
            self.stats["hits"] += 1
            return hit[0]
        lock = self.locks.setdefault(key, threading.Lock())
        with lock:
            hit = self.entries.get(key)
            if hit is not None and hit[1] > time.monotonic():
                self.stats["hits"] += 1
                return hit[0]
            self.stats["misses"] += 1
            self._prune(key[0])
            value = build()
            self.entries[key] = (value, time.monotonic() + self.ttl)
        self.locks.pop(key, None)
        return value

    def _prune(self, version):
        """Drop expired entries and those of older versions (keys start with the version; versions
        only grow); keep at most MAX_ENTRIES, oldest out first."""
        now = time.monotonic()

        def older(v):
            return v != version and all(a <= b for a, b in zip(v, version))
        for k in [k for k, (_v, exp) in list(self.entries.items()) if exp <= now or older(k[0])]:
            self.entries.pop(k, None)
        while len(self.entries) >= MAX_ENTRIES:
            self.entries.pop(next(iter(self.entries)), None)

    def clear(self):
        self.entries.clear()


def init_app(app):
    app.extensions[_EXT] = PublicCache(app)


def cache() -> PublicCache:
    return current_app.extensions[_EXT]
