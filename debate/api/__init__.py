"""JSON API v1 (contract: shared/spec/api-v1.md)."""
from flask import Blueprint

from ..extensions import csrf

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token-authenticated JSON: no cookies are used for writes, so CSRF tokens do not apply.
csrf.exempt(api_bp)

from . import auth, tournaments, participants, meta, rounds, ballots, standings  # noqa: E402,F401
