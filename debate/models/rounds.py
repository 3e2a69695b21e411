"""Rounds, draws, panels and motions. A round belongs to the tournament and holds one draw
per league, because the leagues share adjudicators and rooms."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import created_at

ROUND_KINDS = ("prelim", "octofinal", "quarterfinal", "semifinal", "final")


class Round(db.Model):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("tournament_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)       # order within the tournament
    number: Mapped[int] = mapped_column(Integer)    # prelims 1, 2, 3...; eliminations numbered per kind
    kind: Mapped[str] = mapped_column(String(20), default="prelim")
    draw_released: Mapped[bool] = mapped_column(Boolean, default=False)
    motion_released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    results_released: Mapped[bool] = mapped_column(Boolean, default=False)
    silent: Mapped[bool] = mapped_column(Boolean, default=False)  # results hidden until the break
    created_at: Mapped[datetime] = created_at()

    tournament = relationship("Tournament")
    leagues: Mapped[list["RoundLeague"]] = relationship(back_populates="round", cascade="all, delete-orphan")
    debates: Mapped[list["Debate"]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                   order_by="Debate.id")

    @property
    def is_prelim(self) -> bool:
        return self.kind == "prelim"

    @property
    def motion_released(self) -> bool:
        return self.motion_released_at is not None


class RoundLeague(db.Model):
    """A league's part in a round: its draw's seed and summary."""
    __tablename__ = "round_leagues"
    __table_args__ = (UniqueConstraint("round_id", "league_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    draw_seed: Mapped[int | None] = mapped_column(Integer)
    draw_summary: Mapped[dict | None] = mapped_column(JSON)
    round: Mapped[Round] = relationship(back_populates="leagues")
    league = relationship("League")


class Motion(db.Model):
    __tablename__ = "motions"
    __table_args__ = (UniqueConstraint("round_id", "league_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    info_slide: Mapped[str | None] = mapped_column(Text)


class Debate(db.Model):
    __tablename__ = "debates"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    room_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    gov_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    opp_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    bracket: Mapped[float] = mapped_column(Float, default=0)
    importance: Mapped[float] = mapped_column(Float, default=0)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    # Elimination debates: where the debate sits in the bracket (0-based, in bracket order).
    bracket_position: Mapped[int | None] = mapped_column(Integer)
    # Confirmed outcome, kept here so standings read one row per debate.
    winner: Mapped[str | None] = mapped_column(String(3))  # "gov" / "opp"
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A forfeit: the side that did not appear ("gov" / "opp"); the other side won, no marks.
    forfeit: Mapped[str | None] = mapped_column(String(3))

    round: Mapped[Round] = relationship(back_populates="debates")
    league = relationship("League")
    room = relationship("Room")
    gov = relationship("Team", foreign_keys=[gov_team_id])
    opp = relationship("Team", foreign_keys=[opp_team_id])
    panel: Mapped[list["DebateAdjudicator"]] = relationship(back_populates="debate", cascade="all, delete-orphan",
                                                            order_by="DebateAdjudicator.position")


class DebateAdjudicator(db.Model):
    __tablename__ = "debate_adjudicators"
    # One debate per adjudicator per round, enforced by the database too.
    __table_args__ = (UniqueConstraint("round_id", "adjudicator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"), index=True)
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="panellist")  # chair / panellist
    position: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)  # manual choice kept on re-allocation
    debate: Mapped[Debate] = relationship(back_populates="panel")
    adjudicator = relationship("Adjudicator")


class Bye(db.Model):
    __tablename__ = "byes"
    __table_args__ = (UniqueConstraint("round_id", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    team = relationship("Team")


class BreakSeed(db.Model):
    __tablename__ = "break_seeds"
    __table_args__ = (UniqueConstraint("league_id", "team_id"), UniqueConstraint("league_id", "seed"))
    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    seed: Mapped[int] = mapped_column(Integer)
    team = relationship("Team")
