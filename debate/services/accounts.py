"""Director accounts and login throttling (shared by the login page and the API)."""
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginAttempt, User


USERNAME_MAX = 80  # users.username, login_attempts.username


def create_user(username: str, password: str, role: str = "director") -> User:
    user = User(username=username.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _recent_failures(username: str) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
    since = datetime.now(timezone.utc) - window
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username, LoginAttempt.at >= since))


def check_login(username: str, password: str):
    """(user, None) on success; (None, "locked") after too many recent failures;
    (None, "invalid") otherwise. Failures are counted per username in the database."""
    username = username.strip()
    if len(username) > USERNAME_MAX:  # no account has such a name (and the column could not hold it)
        return None, "invalid"
    if _recent_failures(username) >= current_app.config["LOGIN_MAX_ATTEMPTS"]:
        return None, "locked"
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.check_password(password):
        db.session.add(LoginAttempt(username=username, at=datetime.now(timezone.utc)))
        db.session.commit()
        return None, "invalid"
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    return user, None
