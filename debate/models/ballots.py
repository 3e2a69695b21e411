"""Ballots (every version kept), the audit log, and adjudicators' problem reports."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ._common import created_at


class Ballot(db.Model):
    """One adjudicator's ballot for one debate. A resubmission is a new row with the next
    version; earlier versions stay. client_id is unique, so a retried submission can never
    store a second row."""
    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("debate_id", "adjudicator_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"), index=True)
    # An adjudicator with a ballot is never deleted: no cascade from a person to a ballot.
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    winner: Mapped[str] = mapped_column(String(3))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)      # {"PM": 27.5, ...}
    speakers: Mapped[dict] = mapped_column(JSON, default=dict)    # {"PM": speaker_id, ...}
    nominations: Mapped[dict] = mapped_column(JSON, default=dict)  # {"orator": id, "analyst": id}
    status: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted/confirmed/superseded
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
    debate = relationship("Debate")
    adjudicator = relationship("Adjudicator")


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int | None] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    adjudicator_id: Mapped[int | None] = mapped_column(ForeignKey("adjudicators.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = created_at()
    user = relationship("User")
    adjudicator = relationship("Adjudicator")


class ProblemReport(db.Model):
    __tablename__ = "problem_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("adjudicators.id", ondelete="CASCADE"))
    debate_id: Mapped[int | None] = mapped_column(ForeignKey("debates.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = created_at()
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    adjudicator = relationship("Adjudicator")
    debate = relationship("Debate")
