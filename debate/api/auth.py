from flask import jsonify
from flask_babel import gettext as _

from ..extensions import db
from ..services.accounts import check_login
from .common import api_bp, error_response, issue_token, json_body


@api_bp.post("/auth/token")
def token():
    data = json_body()
    if not isinstance(data, dict) or not all(isinstance(data.get(k, ""), str) for k in ("username", "password")):
        return error_response(422, "validation_failed", _("Username and password are required."))
    user, problem = check_login(data.get("username") or "", data.get("password") or "")
    if problem == "locked":
        return error_response(429, "too_many_attempts", _("Too many attempts. Wait a few minutes and try again."))
    if user is None:
        return error_response(401, "invalid_credentials", _("Wrong username or password."))
    tok = issue_token(user)
    db.session.commit()
    return jsonify({"token": tok})
