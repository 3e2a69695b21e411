"""Erasing personal data after the season (#17 item 13).

`anonymise_tournament` replaces the pupils' and coaches' personal data (names, contacts, grades,
genders) with numbered labels in each league's language ("Speaker 17", "Coach 3"), also where
the names were copied (issued documents' recipients, audit details) and in the appeals' texts
written by teams and coaches. Ids, teams, schools, ballots and every mark stay, so results,
standings and statistics are exactly what they were. Adjudicators (adults, judging in a public
role), team names and school names (institutions) are kept.

`delete_tournament` removes the tournament and everything of it in one transaction (its rounds
and break, then the tournament with the database's cascades from it); nothing of another
tournament is touched. It is
audited at the instance level: an audit entry with no tournament (it would otherwise be deleted
with it) that keeps the tournament's id, name and what was removed, and a log line.

Both need the tournament's name typed as confirmation, and both pages offer the tournament's
full export (/t/<tid>/export/tournament.json) first.
"""
import logging
from datetime import datetime, timezone

from flask_babel import force_locale, pgettext
from sqlalchemy import delete, func, select

from ..core.extensions import db
from ..models import (
    Adjudicator,
    Appeal,
    AuditEntry,
    Award,
    Ballot,
    BreakSeed,
    Coach,
    Debate,
    League,
    Round,
    Speaker,
    Team,
    Tournament,
)
from .audit import audit
from .errors import Refused

log = logging.getLogger("debate.audit")


def _check_confirmation(t: Tournament, confirm) -> None:
    typed = " ".join(confirm.split()) if isinstance(confirm, str) else None
    if not typed or typed != " ".join(t.name.split()):
        raise Refused(422, "validation_failed", fields={"confirm": "not_confirmed"})


def _scrub(value, names: dict):
    """value with every string equal to an erased name replaced by its label (JSON, recursively)."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, names) for k, v in value.items()}
    return value


def anonymise_tournament(t: Tournament, confirm, user=None) -> dict:
    _check_confirmation(t, confirm)
    languages = {lg.id: lg.language for lg in t.leagues}
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.id)).all()
    names, n_speakers = {}, 0
    coach_language = {}
    for team in teams:
        lang = languages.get(team.league_id, "en")
        if team.coach_id is not None:
            coach_language.setdefault(team.coach_id, lang)
        for sp in team.speakers:
            n_speakers += 1
            with force_locale(lang):
                label = pgettext("anonymised person", "Speaker %(n)s", n=n_speakers)
            names[sp.name] = label
            sp.name, sp.grade, sp.gender = label, None, None
    coaches = db.session.scalars(select(Coach).where(Coach.tournament_id == t.id).order_by(Coach.id)).all()
    for i, coach in enumerate(coaches, 1):
        with force_locale(coach_language.get(coach.id, "en")):
            label = pgettext("anonymised person", "Coach %(n)s", n=i)
        names[coach.name] = label
        coach.name, coach.contact = label, None
    db.session.flush()
    speakers = {s.id: s.name for s in db.session.scalars(select(Speaker).join(Team).where(Team.tournament_id == t.id))}
    coach_names = {c.id: c.name for c in coaches}
    for a in db.session.scalars(select(Award).where(Award.tournament_id == t.id)):
        a.recipient = speakers.get(a.speaker_id) or coach_names.get(a.coach_id) or "—"
    for appeal in db.session.scalars(select(Appeal).where(Appeal.tournament_id == t.id)):
        appeal.text = "—"
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.tournament_id == t.id)):
        if entry.details:
            entry.details = _scrub(entry.details, names)
    t.anonymised_at = datetime.now(timezone.utc)
    counts = {"speakers": n_speakers, "coaches": len(coaches)}
    audit(t.id, "tournament_anonymised", t, user=user, **counts)
    db.session.flush()
    return counts


def delete_tournament(t: Tournament, confirm, user=None) -> dict:
    _check_confirmation(t, confirm)
    counts = {
        "teams": db.session.scalar(select(func.count()).select_from(Team).where(Team.tournament_id == t.id)),
        "adjudicators": db.session.scalar(select(func.count()).select_from(Adjudicator)
                                          .where(Adjudicator.tournament_id == t.id)),
        "rounds": db.session.scalar(select(func.count()).select_from(Round).where(Round.tournament_id == t.id)),
        "ballots": db.session.scalar(select(func.count()).select_from(Ballot).join(Debate).join(Round)
                                     .where(Round.tournament_id == t.id)),
    }
    tid, name = t.id, t.name
    # Instance level: no tournament_id, or the entry would go with the tournament.
    audit(None, "tournament_deleted", t, user=user, name=name, **counts)
    db.session.flush()
    db.session.expunge(t)
    # The record first (rounds take their debates, panels, byes and ballots with them; then the
    # break), then the tournament with its people: nothing from the record refers to a person any
    # more when the people go, as the foreign keys require (PostgreSQL checks them as each
    # cascade step runs, not at the end of the statement).
    league_ids = select(League.id).where(League.tournament_id == tid)
    for stmt in (delete(Round).where(Round.tournament_id == tid),
                 delete(BreakSeed).where(BreakSeed.league_id.in_(league_ids)),
                 delete(Tournament).where(Tournament.id == tid)):
        db.session.execute(stmt, execution_options={"synchronize_session": False})
    log.warning("tournament %s (%r) deleted by %s: %s", tid, name, getattr(user, "username", None), counts)
    return counts
