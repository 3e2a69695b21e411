from datetime import datetime, timezone

from flask import g, jsonify, request
from flask_babel import gettext as _

from ..core.extensions import db
from ..services import accounts
from .common import api_bp, bearer_token, error_response, json_body, require_token


@api_bp.post("/auth/token")
def token():
    data = json_body()
    if not isinstance(data, dict) or not all(isinstance(data.get(k, ""), str) for k in ("username", "password")):
        return error_response(422, "validation_failed", _("Username and password are required."))
    user, problem, wait = accounts.check_login(str(data.get("username") or ""), str(data.get("password") or ""),
                                               request.remote_addr or "")
    if problem == "throttled":
        resp, status = error_response(429, "too_many_attempts", _("Too many attempts. Wait a few minutes and try again."),
                                      retry_after=wait)
        resp.headers["Retry-After"] = str(wait)
        return resp, status
    if user is None:
        return error_response(401, "invalid_credentials", _("Wrong username or password."))
    tok = accounts.issue_token(user)
    db.session.commit()
    return jsonify({"token": tok, "expires_at": (datetime.now(timezone.utc) + accounts.token_lifetime()).isoformat()})


def _token_json(row, current_id):
    return {"id": row.id, "created_at": accounts.token_created_at(row).isoformat(),
            "expires_at": accounts.token_expires_at(row).isoformat(), "current": row.id == current_id}


@api_bp.get("/auth/tokens")
@require_token
def tokens():
    current = bearer_token()
    return jsonify([_token_json(row, current.id) for row in accounts.tokens_of(g.api_user)])


@api_bp.delete("/auth/tokens/<int:token_id>")
@require_token
def revoke(token_id):
    accounts.revoke_token(g.api_user, token_id)
    db.session.commit()
    return "", 204
