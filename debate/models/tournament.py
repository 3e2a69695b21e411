"""Tournaments, their leagues, and the regions of Kazakhstan."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..settings import get_setting
from ._common import created_at

STAGES = ("district", "city", "regional", "republican")
LANGUAGES = ("kk", "ru", "en")


class Region(db.Model):
    """The 17 oblasts and the three cities of republican significance (rows made by a migration)."""
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "oblast" or "city"
    name_kk: Mapped[str] = mapped_column(String(100))
    name_ru: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_en


class Tournament(db.Model):
    __tablename__ = "tournaments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20), default="republican")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str | None] = mapped_column(String(200))
    # Only the keys that differ from debate.settings.DEFAULTS are stored.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # The name in each language ({"kk": .., "ru": .., "en": ..}) for pages and documents in that
    # language; a language without one shows `name`.
    names: Mapped[dict | None] = mapped_column(JSON, default=dict)
    # The venue in each language ({"kk": .., "ru": .., "en": ..}) for pages and documents in that
    # language; `venue` is the one a language without its own shows (see venue_in).
    venues: Mapped[dict | None] = mapped_column(JSON, default=dict)
    qualifies_for_id: Mapped[int | None] = mapped_column(ForeignKey("tournaments.id", ondelete="SET NULL"))
    team_standings_released: Mapped[bool] = mapped_column(Boolean, default=False)
    speaker_standings_released: Mapped[bool] = mapped_column(Boolean, default=False)
    bracket_released: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the pupils' and coaches' personal data were erased (services/erasure.py).
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()

    leagues: Mapped[list["League"]] = relationship(back_populates="tournament", order_by="League.id",
                                                   cascade="all, delete-orphan")

    def name_in(self, language: str) -> str:
        return (self.names or {}).get(language) or self.name

    def venue_in(self, language: str) -> str | None:
        """The venue in `language`; else `venue` (the one field the API and older tournaments
        have); else the venue in another language (kk, ru, en in that order); else None."""
        venues = self.venues or {}
        return (venues.get(language) or self.venue
                or next((venues[lang] for lang in LANGUAGES if venues.get(lang)), None))

    def setting(self, key: str):
        return get_setting(self, key)


class League(db.Model):
    __tablename__ = "leagues"
    __table_args__ = (UniqueConstraint("tournament_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(120))
    tournament: Mapped[Tournament] = relationship(back_populates="leagues")
