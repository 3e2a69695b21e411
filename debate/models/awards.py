"""Award documents (diplomas, letters, certificates) with their verification codes, the
director's choice of nominees, promotions between the stages of a season, and appeals."""
import base64
import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ._common import created_at

TEAM_SEPARATOR = "\n"  # between the team names of a coach's letter (a team name has no line break)
AWARD_KINDS = ("degree", "best_speaker", "orator", "analyst", "gratitude", "participation")


def new_verification_code() -> str:
    """16 characters of base32 (80 random bits): unguessable, and easy to type from paper."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def new_team_code() -> str:
    """A team's appeal code: 8 characters of base32 (40 bits; filing is also rate-limited)."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")


class Award(db.Model):
    """One document for one person. The subject (speaker or coach) with kind and league is
    the identity: preparing the documents again keeps the codes already printed."""
    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("tournament_id", "kind", "league_id", "speaker_id", "coach_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    degree: Mapped[int | None] = mapped_column(Integer)   # 1, 2, 3 for diplomas
    place: Mapped[int | None] = mapped_column(Integer)    # best speakers: rank on the speaker tab
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("coaches.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # What the document says, kept as printed even if the records change later.
    recipient: Mapped[str] = mapped_column(String(200))
    team_name: Mapped[str | None] = mapped_column(String(400))
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_verification_code)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # A correction of a result made this document wrong: to be issued again (verification says so).
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = created_at()
    league = relationship("League")
    tournament = relationship("Tournament")

    @property
    def team_names(self) -> list[str]:
        """The team names the document names (a coach's letter may name several)."""
        return [n for n in (self.team_name or "").split(TEAM_SEPARATOR) if n]

    @property
    def team_label(self) -> str:
        return ", ".join(self.team_names)


class NominationChoice(db.Model):
    """The director's confirmed (or overriding) best orator / best analyst of a league."""
    __tablename__ = "nomination_choices"
    __table_args__ = (UniqueConstraint("league_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # orator / analyst
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = created_at()
    speaker = relationship("Speaker")


class DiplomaTieChoice(db.Model):
    """The director's decision on teams tied across the cut of a diploma degree (diplomas by
    share): which of the tied teams get that degree. It holds only while the tie is the same
    set of teams."""
    __tablename__ = "diploma_tie_choices"
    __table_args__ = (UniqueConstraint("league_id", "degree"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)
    degree: Mapped[int] = mapped_column(Integer)
    tied_team_ids: Mapped[list] = mapped_column(JSON)
    chosen_team_ids: Mapped[list] = mapped_column(JSON)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = created_at()


class Promotion(db.Model):
    """A team carried from one stage into the next: links the two team rows."""
    __tablename__ = "promotions"
    __table_args__ = (UniqueConstraint("source_team_id", "target_tournament_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    target_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    target_tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"))
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = created_at()


class TeamAppealCode(db.Model):
    """The code a team gives with an appeal (printed on its participation certificates and on
    the director's list of team codes)."""
    __tablename__ = "team_appeal_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(16), default=new_team_code)


class Appeal(db.Model):
    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    debate_id: Mapped[int | None] = mapped_column(ForeignKey("debates.id", ondelete="SET NULL"))
    filed_by: Mapped[str] = mapped_column(String(20), default="team")  # team / coach
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending/upheld/partly/rejected
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    correction_ballot_ids: Mapped[list] = mapped_column(JSON, default=list)
    team = relationship("Team")
    round = relationship("Round")
    debate = relationship("Debate")
    decided_by = relationship("User")
