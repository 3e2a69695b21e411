"""Accounts: creating them, signing in (with throttling, services/throttle.py), changing a
password (which ends every session and API token of the account), sessions and tokens.
Shared by the login page, the account page, the API and the command line."""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.extensions import db
from ..models import ApiToken, User
from ..models.people import LoginSession
from . import throttle
from .errors import Refused

MIN_PASSWORD = 8
_DUMMY_HASH = []


USERNAME_MAX = 80  # users.username, login_attempts.username


def create_user(username: str, password: str, role: str = "director") -> User:
    user = User(username=username.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def login_policy() -> throttle.Policy:
    c = current_app.config
    return throttle.Policy("login", c["LOGIN_FREE_FAILURES"], c["LOGIN_FREE_FAILURES_PER_ADDRESS"],
                           c["LOGIN_THROTTLE_BASE_SECONDS"], c["LOGIN_THROTTLE_MAX_SECONDS"],
                           c["LOGIN_THROTTLE_WINDOW_SECONDS"])


def _dummy_hash() -> str:
    """A hash made the way users' hashes are, so an unknown username costs the same work."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def check_login(username: str, password: str, address: str = "", now: datetime | None = None):
    """(user, None, 0) on success; (None, "throttled", seconds to wait) while this address must
    wait; (None, "invalid", 0) otherwise. An unknown username does the same password-hash work
    as a known one, and its failure is counted the same way."""
    now = now or datetime.now(timezone.utc)
    username = username.strip()
    if len(username) > USERNAME_MAX:  # no account has such a name (and the column could not hold it)
        return None, "invalid", 0
    policy = login_policy()
    wait = throttle.wait_seconds(policy, username, address, now)
    if wait:
        return None, "throttled", wait
    user = db.session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and "$" in (user.password_hash or "") else None
    ok = check_password_hash(stored or _dummy_hash(), password) and stored is not None
    if not ok:
        throttle.record_failure(policy, username, address, now)
        db.session.commit()
        return None, "invalid", 0
    throttle.clear(policy, username, address)
    return user, None, 0


# ----- sessions: one row per signed-in browser, so signing out ends it on the server -----

def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(user) -> str:
    """A new server-side session for a browser; the returned secret goes into its cookie."""
    secret = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, digest=_digest(secret)))
    return secret


def session_user(user_id, secret):
    """The user whose session this is, or None if it was ended (signed out, password changed)."""
    if not secret or not str(user_id).isdigit():
        return None
    return db.session.scalar(select(User).join(LoginSession, LoginSession.user_id == User.id).where(
        User.id == int(user_id), LoginSession.digest == _digest(secret)))


def end_session(secret) -> None:
    if secret:
        db.session.execute(delete(LoginSession).where(LoginSession.digest == _digest(secret)))


# ----- API tokens: a documented lifetime, listed and revoked by their owner -----

def token_lifetime() -> timedelta:
    return timedelta(days=current_app.config["API_TOKEN_DAYS"])


def issue_token(user) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, digest=_digest(token)))
    return token


def token_row(token: str, now: datetime | None = None):
    """The live token row for this bearer token, or None (unknown, revoked or expired)."""
    now = now or datetime.now(timezone.utc)
    return db.session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token),
                                                    ApiToken.created_at > now - token_lifetime()))


def tokens_of(user, now: datetime | None = None) -> list:
    now = now or datetime.now(timezone.utc)
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.created_at > now - token_lifetime()).order_by(ApiToken.id)))


def token_created_at(token):
    return token.created_at if token.created_at.tzinfo else token.created_at.replace(tzinfo=timezone.utc)


def token_expires_at(token):
    return token_created_at(token) + token_lifetime()


def revoke_token(user, token_id) -> None:
    row = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if row is None or row.user_id != user.id:
        raise Refused(404, "not_found")
    db.session.delete(row)


# ----- passwords -----

def set_password(user, password: str) -> None:
    """A new password ends every session and API token of the account (the caller commits and,
    for the person who changed it, starts a new session)."""
    if len(password or "") < MIN_PASSWORD:
        raise Refused(422, "validation_failed", fields={"new": ("password_too_short", {"min": MIN_PASSWORD})})
    user.set_password(password)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def change_password(user, current: str, new: str, repeat: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise Refused(422, "validation_failed", fields={"current": ("wrong_password", {})})
    if new != repeat:
        raise Refused(422, "validation_failed", fields={"repeat": ("passwords_differ", {})})
    set_password(user, new)
