"""Schools, coaches, teams, speakers, adjudicators and rooms of a tournament.

Schools and coaches belong to one tournament, so a tournament exports, imports and is
promoted to the next stage as a whole, and no director sees another tournament's people.
Personal fields beyond names (grade, gender, contacts) are for directors only.
"""
import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ._common import created_at


def normalise_name(name: str | None) -> str:
    """Comparison form of a school or person name: case and spacing do not matter."""
    return " ".join((name or "").split()).casefold()


def new_private_key() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("tournament_id", "name", "region_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    rural: Mapped[bool] = mapped_column(Boolean, default=False)
    region = relationship("Region")


class Coach(db.Model):
    __tablename__ = "coaches"
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))  # directors only


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("tournament_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("coaches.id", ondelete="SET NULL"))
    seed_rank: Mapped[int | None] = mapped_column(Integer)  # optional ranking for a seeded round 1
    needs_access: Mapped[bool] = mapped_column(Boolean, default=False)
    # False once withdrawn: in no later draw; its results stay in every standing.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # The team's private page (/team/<key>): its draw, results, appeals and feedback on adjudicators.
    private_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_private_key)
    created_at: Mapped[datetime] = created_at()

    league = relationship("League")
    school: Mapped[School | None] = relationship()
    coach: Mapped[Coach | None] = relationship()
    speakers: Mapped[list["Speaker"]] = relationship(back_populates="team", order_by="Speaker.position",
                                                     cascade="all, delete-orphan")

    @property
    def region_code(self) -> str | None:
        return self.school.region_code if self.school else None


class Speaker(db.Model):
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("team_id", "position"),
                      CheckConstraint("position IN (1, 2, 3)", name="position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # speaking order: 1 = PM/LO, 2 = MG/MO, 3 = the reserve
    # A registered reserve: speaks only as a substitute, named on that round's ballot.
    reserve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int | None] = mapped_column(Integer)  # directors only
    gender: Mapped[str | None] = mapped_column(String(1))  # "f"/"m", directors only
    team: Mapped[Team] = relationship(back_populates="speakers")


class Adjudicator(db.Model):
    __tablename__ = "adjudicators"
    __table_args__ = (UniqueConstraint("tournament_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    school: Mapped[str | None] = mapped_column(String(200))  # school or other affiliation
    languages: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["kk", "ru"]
    rating: Mapped[float] = mapped_column(Float, default=5.0)
    # The rating typed in before feedback was applied (services.feedback.apply_ratings); None until then.
    prior_rating: Mapped[float | None] = mapped_column(Float)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_access: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    private_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_private_key)
    contact: Mapped[str | None] = mapped_column(String(200))  # directors only
    created_at: Mapped[datetime] = created_at()

    region = relationship("Region")
    team_conflicts: Mapped[list["AdjudicatorTeamConflict"]] = relationship(cascade="all, delete-orphan")
    school_conflicts: Mapped[list["AdjudicatorSchoolConflict"]] = relationship(cascade="all, delete-orphan")


class AdjudicatorTeamConflict(db.Model):
    __tablename__ = "adjudicator_team_conflicts"
    __table_args__ = (UniqueConstraint("adjudicator_id", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    team = relationship("Team")


class AdjudicatorSchoolConflict(db.Model):
    __tablename__ = "adjudicator_school_conflicts"
    __table_args__ = (UniqueConstraint("adjudicator_id", "school_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"), index=True)
    school_name: Mapped[str] = mapped_column(String(200))


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("tournament_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
