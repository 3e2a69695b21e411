"""Rounds, draws, panels and motions. A round belongs to the tournament and holds one draw
per league, because the leagues share adjudicators and rooms."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
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
    silent: Mapped[bool] = mapped_column(Boolean, default=False)  # results hidden until the break
    # A round with a confirmed result is locked; a director may unlock it for a correction, with a
    # reason, until they lock it again or the round's next ballot is confirmed (services/round_lock.py).
    unlocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unlocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unlock_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()

    tournament = relationship("Tournament")
    unlocked_by = relationship("User")
    leagues: Mapped[list["RoundLeague"]] = relationship(back_populates="round", cascade="all, delete-orphan")
    debates: Mapped[list["Debate"]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                   order_by="Debate.id")

    @property
    def is_prelim(self) -> bool:
        return self.kind == "prelim"

    # Release state lives per league (RoundLeague): leagues start at different times. These read
    # "released in every league of the round" (a round without leagues: nothing is released);
    # the *_any forms "in at least one league". Setting one sets every league (tests, demo).
    def league_part(self, league_id):
        """This round's RoundLeague of league_id (None when the league is not in the round)."""
        return next((rl for rl in self.leagues if rl.league_id == league_id), None)

    def _every(self, attr) -> bool:
        return bool(self.leagues) and all(getattr(rl, attr) for rl in self.leagues)

    def _any(self, attr) -> bool:
        return any(getattr(rl, attr) for rl in self.leagues)

    @property
    def draw_released(self) -> bool:
        return self._every("draw_released")

    @draw_released.setter
    def draw_released(self, value):
        for rl in self.leagues:
            rl.draw_released = bool(value)

    @property
    def draw_released_any(self) -> bool:
        return self._any("draw_released")

    @property
    def motion_released(self) -> bool:
        return self._every("motion_released")

    @property
    def motion_released_any(self) -> bool:
        return self._any("motion_released")

    @property
    def results_released(self) -> bool:
        return self._every("results_released")

    @results_released.setter
    def results_released(self, value):
        for rl in self.leagues:
            rl.results_released = bool(value)

    @property
    def results_released_any(self) -> bool:
        return self._any("results_released")

    def draw_public(self, league_id) -> bool:
        rl = self.league_part(league_id)
        return rl is not None and bool(rl.draw_released)

    def motion_public(self, league_id) -> bool:
        rl = self.league_part(league_id)
        return rl is not None and rl.motion_released

    def results_public(self, league_id) -> bool:
        """Whether spectators see this league's results of the round (released and not silent)."""
        rl = self.league_part(league_id)
        return rl is not None and bool(rl.results_released) and not self.silent


class RoundLeague(db.Model):
    """A league's part in a round: its draw's seed and summary, and what of it is public (each
    league's draw, motion and results are released on their own; the motion's preparation
    countdown starts at motion_released_at)."""
    __tablename__ = "round_leagues"
    __table_args__ = (UniqueConstraint("round_id", "league_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"))
    draw_seed: Mapped[int | None] = mapped_column(Integer)
    draw_summary: Mapped[dict | None] = mapped_column(JSON)
    draw_released: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    motion_released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    results_released: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    round: Mapped[Round] = relationship(back_populates="leagues")
    league = relationship("League")

    @property
    def motion_released(self) -> bool:
        return self.motion_released_at is not None


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
    # A team in a draw is never deleted (withdrawn instead): no cascade from a team to a debate.
    gov_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    opp_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
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
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id"), index=True)
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
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    team = relationship("Team")


class BreakSeed(db.Model):
    __tablename__ = "break_seeds"
    __table_args__ = (UniqueConstraint("league_id", "team_id"), UniqueConstraint("league_id", "seed"))
    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    seed: Mapped[int] = mapped_column(Integer)
    team = relationship("Team")


class RoundAttendance(db.Model):
    """Who takes part in a round (the registration desk's check-in). One row per team or
    adjudicator whose presence was set for the round; without a row a person takes part when
    active (a team) or available (an adjudicator). Not part of the record: a row goes with
    its round or its person."""
    __tablename__ = "round_attendance"
    __table_args__ = (UniqueConstraint("round_id", "team_id"), UniqueConstraint("round_id", "adjudicator_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    adjudicator_id: Mapped[int | None] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
