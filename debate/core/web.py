"""What every page shares: template helpers, security headers, friendly error pages,
request logs and the tournament access check."""
import json
import logging
import re
import secrets
import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.routing import IntegerConverter

from ..models import Tournament
from ..models.people import may_create_tournaments, may_see_secrets
from ..services import accounts
from ..services.errors import Refused, database_busy
from ..settings import get_setting
from ..text import i18n
from ..text.messages import error_text, field_errors_text
from .extensions import db, login_manager

log = logging.getLogger("debate.requests")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def tournament_for(tid: int, roles=("director", "staff")):
    """The tournament if the logged-in user works on it in one of these roles; else 404/403."""
    t = db.session.get(Tournament, tid)
    if t is None:
        abort(404)
    if not current_user.is_authenticated or current_user.role_in(t.id) not in roles:
        abort(403)
    i18n.use_tournament(t)
    return t


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _log_request(response):
    took = (time.perf_counter() - g.get("t0", time.perf_counter())) * 1000
    log.info(json.dumps({"rid": g.get("request_id"), "method": request.method, "path": request.path,
                         "status": response.status_code, "ms": round(took, 1)}))
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response


def _start_request():
    g.t0 = time.perf_counter()
    g.request_id = secrets.token_hex(6)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_page(status: int, title: str, message: str):
    if _wants_json():
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 429: "too_many_requests", 503: "busy"}.get(status, "server_error")
        body = {"error": {"code": code, "message": message, "request_id": g.get("request_id")}}
        return body, status
    return render_template("error.html", status=status, title=title, message=message,
                           request_id=g.get("request_id")), status


MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns (PostgreSQL); SQLite stores at most 64 bits


def _ids_in_range():
    """An id in the URL larger than any row id can be is "not found", not a database error
    (found by tests/test_schemathesis.py: /tournaments/967103351539661275136 gave a 500)."""
    values = request.view_args
    if values and any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in values.values()):
        abort(404)


def form_int(name: str, default=None, lo: int = -MAX_ID, hi: int = MAX_ID, source=None):
    """An integer field of a form (or of source, e.g. request.args): default when absent or
    empty; "abc", "1.5", "²" or a 30-digit number is a 422 refusal naming the field (the page
    handler says why), never a 500."""
    raw = ((request.form if source is None else source).get(name) or "").strip()
    if not raw:
        return default
    if len(raw) > 12 or not re.fullmatch(r"[+-]?[0-9]+", raw):
        raise Refused(422, "validation_failed", fields={name: "not_a_number"})
    n = int(raw)
    if not lo <= n <= hi:
        raise Refused(422, "validation_failed", fields={name: ("out_of_range", {"min": lo, "max": hi})})
    return n


def form_ints(name: str, lo: int = -MAX_ID, hi: int = MAX_ID) -> list[int]:
    """Every value of a repeated integer field (checkboxes), each as form_int."""
    return [form_int(name, lo=lo, hi=hi, source={name: v}) for v in request.form.getlist(name) if v.strip()]


class BoundedIntConverter(IntegerConverter):
    """<int:...> in every route: at most 18 digits, so a 30,000-digit id is "not found" (404)
    instead of Python's int() refusing it (a 500); _ids_in_range then bounds the value."""
    regex = r"\d{1,18}"


def public_base(t=None) -> str:
    """The address people's phones and printed sheets use: the tournament's setting `public_url`,
    else PUBLIC_BASE_URL, else the address this request came to. Every private link, QR sheet,
    diploma and appeal sheet is built from it (public_link)."""
    base = (get_setting(t, "public_url") if t is not None else "") or current_app.config.get("PUBLIC_BASE_URL") \
        or request.host_url
    return base.rstrip("/")


def public_link(t, endpoint: str, **values) -> str:
    return public_base(t) + url_for(endpoint, **values)


def is_loopback(url: str) -> bool:
    """An address only this computer can open: a phone that scans it reaches nothing."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.") or host.endswith(".localhost")


def _no_nul_in_input():
    """A NUL character in a form field or query value is a 400: no text column of PostgreSQL can
    store it (found by tests/test_fuzz_forms.py: a problem report's answer gave a 500)."""
    if request.path.startswith("/api/"):
        return  # JSON bodies: api.common.json_body refuses it with a 422
    values = list(request.args.values())
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in v for v in values):
        abort(400)


def on_refusal(url: str) -> str:
    """Where the page handler sends the user back if the service refuses (a view that redirects to
    the same place on success calls `return redirect(on_refusal(url))` around its work)."""
    g.on_refusal = url
    return url


def _same_site_referrer():
    ref = request.referrer
    if not ref:
        return None
    parts = urlsplit(ref)
    return ref if parts.scheme in ("http", "https") and parts.netloc == request.host else None


def page_refusal(e: Refused):
    """A service refused what a page asked: nothing of it is kept; a form post goes back where it
    came from with the reason, a page that cannot be shown says why."""
    db.session.rollback()
    message = error_text(e.code, e.params)
    if e.fields:
        message = "; ".join(field_errors_text(e.fields).values())
    if e.status == 503:
        return _busy_page(message)
    if request.method in ("GET", "HEAD"):
        return _error_page(e.status, _("Not possible"), message)
    flash(message, "error")
    return redirect(g.get("on_refusal") or _same_site_referrer() or url_for("director.tournaments"))


def _busy_page(message):
    body, status = _error_page(503, _("Not possible"), message)
    return body, status, {"Retry-After": str(current_app.config.get("RETRY_AFTER_SECONDS", 5))}


def page_database_error(e: OperationalError):
    """The database is busy: 503 with Retry-After (the form is kept by the browser: go back and
    send again), never a 500."""
    if not database_busy(e):
        raise e
    db.session.rollback()
    return _busy_page(error_text("busy"))


def install_web_helpers(app):
    app.before_request(_start_request)
    app.before_request(_ids_in_range)
    app.before_request(_no_nul_in_input)
    app.after_request(_security_headers)
    app.after_request(_log_request)
    app.jinja_env.globals.update(
        locale=i18n.locale_code, decimal_sep=i18n.decimal_sep, language_names=i18n.LANGUAGE_NAMES, fmt_mark=i18n.fmt_mark,
        round_title=i18n.round_title, forfeit_label=i18n.forfeit_label, region_name=i18n.region_name, side_names=i18n.SIDE_NAMES,
        role_names=i18n.ROLE_NAMES, stage_names=i18n.STAGE_NAMES, kind_names=i18n.ROUND_KIND_NAMES,
        panel_role_names=i18n.PANEL_ROLE_NAMES, public_base=public_base, is_loopback=is_loopback,
        tname=lambda t: t.name_in(i18n.locale_code()), tvenue=lambda t: t.venue_in(i18n.locale_code()), flag_names=i18n.FLAG_NAMES, metric_names=i18n.METRIC_NAMES,
        error_text=error_text, may_see_secrets=may_see_secrets, may_create_tournaments=may_create_tournaments,
    )
    app.jinja_env.filters["format_date"] = lambda d: format_date(d, "long") if d else ""
    app.jinja_env.filters["format_datetime"] = lambda d: format_datetime(d, "short") if d else ""

    app.register_error_handler(Refused, page_refusal)
    app.register_error_handler(OperationalError, page_database_error)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _error_page(400, _("Form expired"), _("The form was too old or incomplete. "
                                                     "Go back, reload the page and try again; nothing was saved."))

    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, _make_handler(status))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        log.exception("error rid=%s", g.get("request_id"))
        return _error_page(500, _("Something went wrong"),
                           _("The error has been logged. Please tell the tab room this code."))


def _make_handler(status):
    def handler(e):
        titles = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Not allowed"), _("You do not have access to this page.")),
            404: (_("Not found"), _("There is nothing at this address.")),
            405: (_("Not allowed"), _("This method is not allowed here.")),
            413: (_("File too large"), _("The file is too large (at most 5 MB).")),
            429: (_("Too many attempts"), _("Too many attempts. Wait a few minutes and try again.")),
        }
        title, message = titles[status]
        return _error_page(status, title, message)
    return handler


@login_manager.user_loader
def _load_user(user_id):
    """The account of this browser's session, if that session has not been ended on the server
    (signed out, or the password changed): services/accounts.py."""
    return accounts.session_user(user_id, session.get("sid"))
