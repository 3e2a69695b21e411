"""Helpers shared by the API endpoints: authentication, errors, access checks."""
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError

from ..core.extensions import csrf, db
from ..models import Round, Tournament
from ..services import accounts
from ..services.errors import Refused, database_busy
from ..text.i18n import use_tournament
from ..text.messages import error_text, field_errors_text

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated JSON: no cookies are used for writes, so CSRF tokens do not apply.
csrf.exempt(api_bp)


class ApiError(Exception):
    def __init__(self, status, code, message, fields=None, extra=None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields, self.extra = status, code, message, fields, extra or {}


def error_response(status, code, message, fields=None, **extra):
    body = {"error": {"code": code, "message": message, **extra}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def api_error(e: ApiError):
    return error_response(e.status, e.code, e.message, e.fields, **e.extra)


def refusal(e: Refused):
    """Every service refusal met by an API request: nothing of it is stored, and the caller is
    told the code, the words for it and, for a body, the fields in error."""
    db.session.rollback()
    message = _("Some values are not valid; nothing was stored.") if e.code == "validation_failed" \
        else error_text(e.code, e.params)
    extra = {"details": e.params} if e.params else {}
    resp = error_response(e.status, e.code, message, field_errors_text(e.fields) if e.fields else None, **extra)
    return retry_later(resp) if e.status == 503 else resp


def retry_later(resp):
    """A 503 says when to try again (the phone's outbox waits that long, then sends the same
    ballot with the same client_id)."""
    body, status = resp
    body.headers["Retry-After"] = str(current_app.config.get("RETRY_AFTER_SECONDS", 5))
    return body, status


def database_error(e: OperationalError):
    """The database is busy (SQLite's write lock held past busy_timeout, a PostgreSQL lock or
    statement timeout): 503 with Retry-After, never a 500; nothing of the request is stored."""
    if not database_busy(e):
        raise e
    db.session.rollback()
    return retry_later(error_response(503, "busy", error_text("busy")))


api_bp.register_error_handler(ApiError, api_error)
api_bp.register_error_handler(Refused, refusal)
api_bp.register_error_handler(OperationalError, database_error)


def validation_error(errors: dict):
    """errors: {index: {field: (code, params)}} for lists, or {0: {...}} for one item."""
    if list(errors) == [0] and not getattr(g, "api_list", False):
        fields = field_errors_text(errors[0])
    else:
        fields = {f"{i}.{f}" if f else str(i): t for i, errs in errors.items()
                  for f, t in field_errors_text(errs).items()}
    return error_response(422, "validation_failed", _("Some values are not valid; nothing was stored."), fields)


def bearer_token():
    """The live API token row of this request (unknown, revoked and expired tokens are None)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    if "api_token" not in g:
        g.api_token = accounts.token_row(header[7:].strip())
    return g.api_token


def bearer_user():
    row = bearer_token()
    return row.user if row else None


def require_token(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = bearer_user()
        if user is None:
            return error_response(401, "unauthorized", _("A valid API token is required."))
        g.api_user = user
        return view(*args, **kwargs)
    return wrapped


def tournament_or_error(tid: int, roles=("director", "staff")) -> Tournament:
    t = db.session.get(Tournament, tid)
    if t is None:
        raise ApiError(404, "not_found", _("No such tournament."))
    if g.api_user.role_in(t.id) not in roles:
        raise ApiError(403, "forbidden", _("You do not have access to this tournament."))
    use_tournament(t)
    return t


def round_or_error(rid: int, roles=("director",)) -> Round:
    """The round, else 404; only for an API user with one of the roles in its tournament (else 403)."""
    rnd = db.session.get(Round, rid)
    if rnd is None:
        raise ApiError(404, "not_found", _("No such round."))
    tournament_or_error(rnd.tournament_id, roles=roles)
    return rnd


MAX_INT = 2**31 - 1  # INTEGER columns (PostgreSQL int4)


MAX_DEPTH = 20


def _has_surrogate(text: str) -> bool:
    """A lone surrogate (not UTF-8) or a NUL (PostgreSQL text cannot hold it)."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def _too_big(value, depth=0) -> bool:
    """True if the JSON holds what no column can store: an integer beyond INTEGER, a string with
    a lone surrogate ("\ud800": not UTF-8), or nesting absurdly deep."""
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -MAX_INT <= value <= MAX_INT
    if isinstance(value, str):
        return _has_surrogate(value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _too_big(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_too_big(v, depth + 1) for v in value)
    return False


def _nesting_too_deep(raw: bytes) -> bool:
    """Brackets nested deeper than MAX_DEPTH, counted on the raw bytes before parsing (Python's
    parser would recurse 100,000 levels deep and fail with RecursionError, a 500)."""
    depth, in_string, escaped = 0, False, False
    for b in raw:
        if in_string:
            if escaped:
                escaped = False
            elif b == 0x5C:  # backslash
                escaped = True
            elif b == 0x22:
                in_string = False
        elif b == 0x22:
            in_string = True
        elif b in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH + 1:
                return True
        elif b in (0x5D, 0x7D):
            depth -= 1
    return False


def json_body():
    raw = request.get_data(cache=True)
    if _nesting_too_deep(raw):
        raise ApiError(400, "bad_json", _("The request body must be JSON."))
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if data is None:
        raise ApiError(400, "bad_json", _("The request body must be JSON."))
    # Found by tests/test_schemathesis.py: a room priority of -99644108975844332929024 reached
    # the database and gave a 500 (OverflowError). Refuse such numbers for every endpoint.
    if _too_big(data):
        raise ApiError(422, "validation_failed", _("Some values are not valid; nothing was stored."))
    return data


def json_object() -> dict:
    """The request body as a JSON object; any other JSON is a 422 that changes nothing."""
    data = json_body()
    if not isinstance(data, dict):
        raise ApiError(422, "validation_failed", _("Some values are not valid; nothing was stored."))
    return data
