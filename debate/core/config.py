"""Configuration from the environment.

DATABASE_URL  database (default: SQLite in instance/, WAL mode)
SECRET_KEY    signing key (default: generated once and kept in instance/secret_key)
REDIS_URL     optional message queue for live events across processes
SOCKETIO_CHANNEL  the Redis channel of this installation's live events (default: derived from
              SECRET_KEY, so installations sharing one Redis do not hear each other)
API_TOKEN_DAYS  how long an API token works after it was issued (default 30)
SOCKETIO_ORIGINS  other origins (comma-separated, e.g. https://projector.example.kz) allowed to open
              a live connection besides the site's own (the request's Host, or PUBLIC_BASE_URL)
TRUSTED_PROXIES  how many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host
              (default 0; 1 behind the nginx of docs/nginx.conf.example): the client's address
              for login throttling comes from there
PUBLIC_CACHE_SECONDS  how long a rendered public part may be kept at most (default 10; 0 = no cache)
SQLITE_BUSY_TIMEOUT  seconds a SQLite writer waits for the write lock (default 15); past it the
              request is answered 503 with Retry-After (RETRY_AFTER_SECONDS, default 5)
IMPORT_MAX_ROWS, IMPORT_MAX_BYTES, IMPORT_MAX_COLUMNS  limits of one CSV/XLSX import (default 2,000
              rows, 2 MB, 60 columns); see docs/security.md "## Uploads and imports"
LIVE_PUSH     1 (default): a "changed" event carries the public parts of the pushed views
              (debate/live/events.py); 0: events are hints only and every page re-fetches
LIVE_PUSH_MAX_BYTES  larger pushed events go without their parts (default 262144)
DB_POOL_SIZE, DB_MAX_OVERFLOW  PostgreSQL connections kept open per process (default 10) and opened
              beyond that at busy moments (default 10); keep processes x (both) under max_connections
"""
import hashlib
import os
import secrets
from pathlib import Path


def _instance_dir(root: Path) -> Path:
    path = Path(os.environ.get("INSTANCE_PATH", root / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    keyfile = instance / "secret_key"
    if not keyfile.exists():
        # Never a fixed default: a key is made once per installation and kept.
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return keyfile.read_text().strip()


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'debate.db'}"
    # Heroku-style URLs and plain postgresql:// go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def build_config(root: Path, overrides: dict | None = None) -> dict:
    instance = _instance_dir(root)
    overrides = overrides or {}
    url = overrides.get("SQLALCHEMY_DATABASE_URI") or _database_url(instance)
    # Connections kept open per process: with SQLAlchemy's default (5 kept, 10 more opened and
    # closed as needed) two gevent workers taking 250 ballots/s opened and closed ~27 PostgreSQL
    # connections a second (each a new backend); see docs/benchmarks.md "## Ballots".
    engine_options = {"pool_pre_ping": True, "pool_size": int(os.environ.get("DB_POOL_SIZE", 10)),
                      "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", 10))}
    if url.startswith("sqlite"):
        # sqlite3's timeout is SQLite's busy_timeout: how long a writer waits for the lock.
        engine_options = {"connect_args": {"timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", 15)),
                                           "check_same_thread": False}}
    config = {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # imports are small; refuse anything bigger
        "WTF_CSRF_TIME_LIMIT": None,  # a director's page may stay open all day
        "BABEL_DEFAULT_LOCALE": "kk",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Asia/Almaty"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "LANGUAGES": ["kk", "ru", "en"],
        "RETRY_AFTER_SECONDS": int(os.environ.get("RETRY_AFTER_SECONDS", 5)),
        # One import: well above a national stage (60 teams, 200 adjudicators), small enough that
        # its validation and its one write transaction take well under a second.
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", 2000)),
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", 2 * 1024 * 1024)),
        "IMPORT_MAX_COLUMNS": int(os.environ.get("IMPORT_MAX_COLUMNS", 60)),
        # Throttling of wrong passwords (services/throttle.py, docs/security.md "## Throttling"):
        # free failures per (account, address) and per address, then a wait that doubles.
        "LOGIN_FREE_FAILURES": 5,
        "LOGIN_FREE_FAILURES_PER_ADDRESS": 20,
        "LOGIN_THROTTLE_BASE_SECONDS": 30,
        "LOGIN_THROTTLE_MAX_SECONDS": 900,
        "LOGIN_THROTTLE_WINDOW_SECONDS": 3600,
        "API_TOKEN_DAYS": float(os.environ.get("API_TOKEN_DAYS", "30")),
        "SOCKETIO_ORIGINS": [o.strip().rstrip("/") for o in os.environ.get("SOCKETIO_ORIGINS", "").split(",")
                             if o.strip()],
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        "LIVE_PUSH": os.environ.get("LIVE_PUSH", "1") != "0",
        "LIVE_PUSH_MAX_BYTES": int(os.environ.get("LIVE_PUSH_MAX_BYTES", 256 * 1024)),
    }
    config.update(overrides)
    if not config.get("SOCKETIO_CHANNEL"):
        config["SOCKETIO_CHANNEL"] = os.environ.get("SOCKETIO_CHANNEL") or default_channel(config["SECRET_KEY"])
    if "PUBLIC_CACHE_SECONDS" not in config:
        config["PUBLIC_CACHE_SECONDS"] = float(os.environ.get("PUBLIC_CACHE_SECONDS", "10"))
    return config


def default_channel(secret_key: str) -> str:
    """One channel per installation: every process of an installation shares its SECRET_KEY
    (sessions need it) and another installation has its own. A hash, so the key is not shown."""
    return "debate-" + hashlib.sha256(b"socketio-channel\0" + secret_key.encode()).hexdigest()[:16]
