"""Feedback on adjudicators from the teams and the panel of a debate. Every version is kept:
a new submission from the same source on the same adjudicator and debate is the next version;
client_id is unique, so a retried submission never stores a second row. Feedback is for the
tab room only (services.feedback)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ._common import created_at

SOURCE_KINDS = ("team", "chair", "panellist")


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("debate_id", "adjudicator_id", "source_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"), index=True)
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[str] = mapped_column(String(10))  # team / chair / panellist (the giver's seat)
    source_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    source_adjudicator_id: Mapped[int | None] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"))
    source_key: Mapped[str] = mapped_column(String(20))  # "team:<id>" / "adj:<id>": one version series per giver
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()

    debate = relationship("Debate")
    round = relationship("Round")
    adjudicator = relationship("Adjudicator", foreign_keys=[adjudicator_id])
    source_team = relationship("Team")
    source_adjudicator = relationship("Adjudicator", foreign_keys=[source_adjudicator_id])
