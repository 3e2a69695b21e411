"""The tab system for Kazakhstan's national school debate tournament (APF)."""
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models  # noqa: F401  (register the tables)
from .api import api_bp
from .commands.cli import debate_cli
from .core.config import build_config
from .core.extensions import WireJSON, babel, csrf, db, login_manager, migrate, socketio
from .core.web import BoundedIntConverter, install_web_helpers
from .live import cache as public_cache
from .live import deflate as live_deflate
from .text.i18n import compiled_catalogs, remember_choice, select_locale, select_timezone
from .views import register_views

ROOT = Path(__file__).resolve().parent.parent


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def live_origin_allowed(app, origin, environ) -> bool:
    """The Socket.IO handshake's Origin check: a browser page of this site (the Host the browser
    asked for, so it works behind a proxy, with http or https), PUBLIC_BASE_URL, or one of
    SOCKETIO_ORIGINS. A request without an Origin (not a browser page) is not checked."""
    if origin is None:
        return True
    origin = _origin(origin)
    if not origin:
        return False
    host = (environ.get("HTTP_HOST") or "").lower()
    if host and origin in (f"http://{host}", f"https://{host}"):
        return True
    allowed = {_origin(o) for o in app.config.get("SOCKETIO_ORIGINS") or []}
    if app.config.get("PUBLIC_BASE_URL"):
        allowed.add(_origin(app.config["PUBLIC_BASE_URL"]))
    return origin in allowed - {""}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL for concurrent readers while a ballot is written and foreign keys on. Simultaneous
    writers wait for each other up to the connection's timeout (config SQLITE_BUSY_TIMEOUT, which
    sqlite3 passes to SQLite's busy_timeout); past it the request is a 503 with Retry-After."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # The sqlite3 driver opens transactions only before writes, so a ballot and its audit
        # entry could commit separately. Let SQLAlchemy emit BEGIN itself (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """One real transaction per unit of work on SQLite. A request that may write takes the
    write lock at BEGIN (IMMEDIATE): in WAL mode a read transaction that later writes after
    another commit fails at once instead of waiting, while IMMEDIATE waits its turn
    (busy_timeout). Page views and API reads begin a plain deferred read transaction."""
    if conn.dialect.name != "sqlite":
        return
    writing = not has_request_context() or (request.method not in ("GET", "HEAD", "OPTIONS")
                                            and not g.get("read_phase"))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.update(build_config(ROOT, config))
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is registered

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = compiled_catalogs(
        Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]), Path(app.config["INSTANCE_DIR"]) / "translations")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    login_manager.init_app(app)
    socketio.init_app(app, message_queue=app.config["REDIS_URL"], channel=app.config["SOCKETIO_CHANNEL"],
                      async_mode=app.config.get("SOCKETIO_ASYNC_MODE"), json=WireJSON,
                      cors_allowed_origins=lambda origin, environ: live_origin_allowed(app, origin, environ))
    if app.config.get("TRUSTED_PROXIES"):
        # Outside the Socket.IO layer, so it sees the client's address, scheme and host too.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    public_cache.init_app(app)
    live_deflate.install()
    app.after_request(remember_choice)

    register_views(app)
    app.register_blueprint(api_bp)
    app.cli.add_command(debate_cli)
    install_web_helpers(app)
    return app
