"""Director and tab-staff accounts, API tokens and login throttling."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.extensions import db
from ._common import created_at


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # "director" may create tournaments; "staff" only works in tournaments they are added to.
    role: Mapped[str] = mapped_column(String(20), default="director")
    created_at: Mapped[datetime] = created_at()

    memberships: Mapped[list["TournamentMember"]] = relationship(back_populates="user",
                                                                 cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def role_in(self, tournament_id: int) -> str | None:
        for m in self.memberships:
            if m.tournament_id == tournament_id:
                return m.role
        return None


# Who may see a tournament's secrets: adjudicators' private keys and links (and the QR sheet of
# them), adjudicators' and coaches' contacts. One rule for the pages and the API (docs/security.md).
SECRET_ROLES = ("director",)


def may_see_secrets(user, tournament_id: int) -> bool:
    """True if this account may see the keys and contacts of this tournament: its directors only."""
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and user.role_in(tournament_id) in SECRET_ROLES)


def may_create_tournaments(user) -> bool:
    """Only an account whose site role is director creates tournaments (it becomes their
    director); a staff account works only in the tournaments it is added to."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role == "director")


class TournamentMember(db.Model):
    """Who may work on a tournament, and as what (director or staff)."""
    __tablename__ = "tournament_members"
    __table_args__ = (UniqueConstraint("user_id", "tournament_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="director")
    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(db.Model):
    """A bearer token for the API; only its SHA-256 digest is stored. It works for API_TOKEN_DAYS
    after created_at (services/accounts.py), until revoked or the password changes."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at()
    user: Mapped[User] = relationship()


class LoginSession(db.Model):
    """A signed-in browser. The session cookie carries a secret whose SHA-256 digest is stored
    here; signing out deletes the row, a password change deletes all of the account's rows, and a
    cookie whose row is gone no longer signs anyone in (web._load_user)."""
    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at()


class LoginAttempt(db.Model):
    """A wrong guess (a password, or a team's appeal code), for throttling per address and per
    (subject, address): services/throttle.py. Kept in the database so several processes agree."""
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16), default="login", server_default="login")
    username: Mapped[str] = mapped_column(String(80), index=True)  # the subject: a username or a team id
    address: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
