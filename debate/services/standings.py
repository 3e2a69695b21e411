"""Team and speaker standings, nominations and the break for a league, from confirmed ballots."""
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import BreakSeed, Speaker, Team
from ..tab import bracket as bracket_mod
from ..tab import standings as tab_standings
from .ballots import audit
from .history import league_history
from .rounds import RoundRefused


def precedence(t) -> tuple:
    raw = t.setting("team_precedence") or "wins,speaker_points,draw_strength"
    metrics = tuple(m.strip() for m in str(raw).split(",") if m.strip() in tab_standings.METRICS)
    return metrics or ("wins", "speaker_points", "draw_strength")


def _teams(league):
    return {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.league_id == league.id)
                                                   .options(selectinload(Team.school), selectinload(Team.speakers)))}


def team_tab(league, public=False):
    """[(TeamRow, Team)] in rank order."""
    h = league_history(league, public=public)
    teams = _teams(league)
    rows = tab_standings.team_standings(list(teams), h.team_results, precedence(league.tournament))
    return [(r, teams[r.team_id]) for r in rows]


def speaker_tab(league, public=False):
    """[(SpeakerRow, Speaker, Team)] in rank order."""
    h = league_history(league, public=public)
    teams = _teams(league)
    speakers = {s.id: s for tm in teams.values() for s in tm.speakers}
    rows = tab_standings.speaker_standings(h.speakers, h.speaker_results, h.rounds_held,
                                           int(league.tournament.setting("speaker_max_missed")))
    return [(r, speakers[r.speaker_id], teams[r.team_id]) for r in rows if r.speaker_id in speakers]


def nominations(league):
    h = league_history(league)
    totals = {}
    for r in h.speaker_results:
        totals[r.speaker_id] = totals.get(r.speaker_id, 0) + r.mark
    out = tab_standings.nominations(h.nominations, totals)
    speakers = {s.id: s for s in db.session.scalars(select(Speaker).join(Team).where(Team.league_id == league.id))}
    return {kind: [(row, speakers.get(row.speaker_id)) for row in rows] for kind, rows in out.items()}


def make_break(league, size: int, include=None, user=None):
    """Store the league's break. A tie at the cut is refused (409 tie_at_cut) unless the director
    says which tied teams go through (include) or widens the break."""
    if size < 2:
        raise RoundRefused(422, "break_too_small")
    rows = [r for r, _t in team_tab(league)]
    try:
        result = bracket_mod.break_teams(rows, size, include=include)
    except bracket_mod.BracketError as e:
        raise RoundRefused(422, e.code, e.params)
    if not result.clean and include is None:
        raise RoundRefused(409, "tie_at_cut", {"team_ids": result.tie_at_cut, "places_left": result.places_left})
    db.session.execute(delete(BreakSeed).where(BreakSeed.league_id == league.id))
    for seed, team_id in result.seeds:
        db.session.add(BreakSeed(league_id=league.id, team_id=team_id, seed=seed))
    db.session.flush()
    audit(league.tournament_id, "break_made", league, user=user, size=size, seeds=result.seeds)
    return result.seeds


def break_of(league):
    return db.session.scalars(select(BreakSeed).where(BreakSeed.league_id == league.id)
                              .options(selectinload(BreakSeed.team)).order_by(BreakSeed.seed)).all()
