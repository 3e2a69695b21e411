"""Team and speaker standings, nominations and the break for a league, from confirmed ballots."""
import gc
from contextlib import contextmanager

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..core.extensions import db
from ..models import BreakSeed, School, Speaker, Team
from ..settings import precedence_metrics
from ..tab import bracket as bracket_mod
from ..tab import standings as tab_standings
from .audit import audit
from .errors import Refused
from .history import league_history, league_roster


def precedence(t) -> tuple:
    return precedence_metrics(t.setting("team_precedence"))


def forfeit_points(t) -> str:
    value = t.setting("forfeit_points")
    return value if value in tab_standings.FORFEIT_POINTS else "none"


@contextmanager
def quiet_gc():
    """Hold off CPython's cyclic garbage collector while a league's tab is computed or rendered.

    Reading and ranking a 2,000-team league allocates ~100,000 short-lived containers (rows,
    small dicts, result tuples) that form no reference cycles and are freed by reference
    counting. Left on, the collector runs many collections meanwhile, including full ones over
    every object of the process (the app, SQLAlchemy's metadata, ...): measured at ~40 % of the
    director's page for 2,000 teams (bench/standings_web.py). Re-enabled on exit (also on an
    exception); does nothing if the collector is already off (nested use, or another thread or
    greenlet holds it off). Cyclic garbage made meanwhile is collected later, as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def forget():
    """Drop what this session has read and computed for the standings. The director's page calls
    it once rendered, inside quiet_gc, so that the collector, back on, does not walk a league's
    worth of rows that are about to be freed anyway."""
    db.session().info.pop(_CACHE_KEY, None)


# One page asks for the team tab, the speaker tab and the nominations of the same league; each
# needs the league's history and teams. They are read once and kept in the session until
# anything is written (flush, commit, rollback, or a DML statement through the session), so a
# page reads the league a fixed number of times, and nothing stale is ever served.
_CACHE_KEY = "debate.standings.cache"


def _cache():
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.info.pop(_CACHE_KEY, None)
        return {}  # unflushed changes: read afresh (the queries autoflush)
    return session.info.setdefault(_CACHE_KEY, {})


def _clear(session, *args):
    session.info.pop(_CACHE_KEY, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _clear)


@event.listens_for(Session, "do_orm_execute")
def _clear_on_write(state):
    if not state.is_select:
        state.session.info.pop(_CACHE_KEY, None)


def _roster(league):
    """Team and speaker ids and names (plain values), once per session."""
    cache = _cache()
    key = ("roster", league.id)
    if key not in cache:
        cache[key] = league_roster(league)
    return cache[key]


def _history(league, public=False):
    cache = _cache()
    key = ("history", league.id, bool(public))
    if key not in cache:
        cache[key] = league_history(league, public=public, roster=_roster(league))
    return cache[key]


def _teams(league):
    """{team_id: Team} with school and speakers loaded, in three queries whatever the size."""
    cache = _cache()
    key = ("teams", league.id)
    if key in cache:
        return cache[key]
    teams = {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.league_id == league.id)
                                                    .order_by(Team.id))}
    by_team = {tid: [] for tid in teams}
    for sp in db.session.scalars(select(Speaker).join(Team).where(Team.league_id == league.id)
                                 .order_by(Speaker.team_id, Speaker.position)):
        by_team[sp.team_id].append(sp)
    schools = {sc.id: sc for sc in db.session.scalars(
        select(School).where(School.id.in_(select(Team.school_id).where(Team.league_id == league.id))))}
    for tid, tm in teams.items():
        set_committed_value(tm, "speakers", by_team[tid])
        set_committed_value(tm, "school", schools.get(tm.school_id))
        for sp in by_team[tid]:
            set_committed_value(sp, "team", tm)
    cache[key] = teams
    return teams


def _team_standings(league, public):
    cache = _cache()
    key = ("team_rows", league.id, bool(public))
    if key not in cache:
        h = _history(league, public=public)
        cache[key] = tab_standings.team_standings(h.team_ids, h.team_results, precedence(league.tournament),
                                                  forfeit_points(league.tournament))
    return cache[key]


def _speaker_standings(league, public):
    cache = _cache()
    key = ("speaker_rows", league.id, bool(public))
    if key not in cache:
        h = _history(league, public=public)
        cache[key] = tab_standings.speaker_standings(h.speakers, h.speaker_results, h.rounds_held,
                                                     int(league.tournament.setting("speaker_max_missed")),
                                                     forfeit_points(league.tournament))
    return cache[key]


def _nominations(league):
    h = _history(league)
    totals = {}
    for r in h.speaker_results:
        if not r.forfeit:
            totals[r.speaker_id] = totals.get(r.speaker_id, 0) + r.mark
    return tab_standings.nominations(h.nominations, totals)


# Plain rows with names (no ORM objects): what pages that only show names need. A 2,000-team
# league's 6,000 Team and Speaker objects cost more than computing the standings.

def team_rows(league, public=False):
    """[(TeamRow, team name)] in rank order."""
    with quiet_gc():
        names = _roster(league).team_names
        return [(r, names.get(r.team_id, "")) for r in _team_standings(league, public)]


def speaker_rows(league, public=False):
    """[(SpeakerRow, speaker name, team name)] in rank order (speakers of the league only)."""
    with quiet_gc():
        roster = _roster(league)
        speakers, teams = roster.speaker_names, roster.team_names
        return [(r, speakers[r.speaker_id], teams.get(r.team_id, ""))
                for r in _speaker_standings(league, public) if r.speaker_id in speakers]


def nomination_rows(league):
    """{kind: [(NominationRow, speaker name or None)]}."""
    with quiet_gc():
        names = _roster(league).speaker_names
        return {kind: [(row, names.get(row.speaker_id)) for row in rows]
                for kind, rows in _nominations(league).items()}


def team_tab(league, public=False):
    """[(TeamRow, Team)] in rank order."""
    with quiet_gc():
        rows = _team_standings(league, public)
        teams = _teams(league)
        return [(r, teams[r.team_id]) for r in rows]


def speaker_tab(league, public=False):
    """[(SpeakerRow, Speaker, Team)] in rank order."""
    with quiet_gc():
        rows = _speaker_standings(league, public)
        teams = _teams(league)
        speakers = {s.id: s for tm in teams.values() for s in tm.speakers}
        return [(r, speakers[r.speaker_id], teams[r.team_id]) for r in rows if r.speaker_id in speakers]


def nominations(league):
    """{kind: [(NominationRow, Speaker or None)]}."""
    with quiet_gc():
        out = _nominations(league)
        speakers = {s.id: s for tm in _teams(league).values() for s in tm.speakers}
        return {kind: [(row, speakers.get(row.speaker_id)) for row in rows] for kind, rows in out.items()}


def make_break(league, size: int, include=None, user=None):
    """Store the league's break. A tie at the cut is refused (409 tie_at_cut) unless the director
    says which tied teams go through (include) or widens the break."""
    if size < 2:
        raise Refused(422, "break_too_small")
    # A withdrawn team does not break; the teams below it move up.
    rows = [r for r, tm in team_tab(league) if tm.active]
    try:
        result = bracket_mod.break_teams(rows, size, include=include)
    except bracket_mod.BracketError as e:
        raise Refused(422, e.code, e.params)
    if not result.clean and include is None:
        raise Refused(409, "tie_at_cut", {"team_ids": result.tie_at_cut, "places_left": result.places_left})
    db.session.execute(delete(BreakSeed).where(BreakSeed.league_id == league.id))
    for seed, team_id in result.seeds:
        db.session.add(BreakSeed(league_id=league.id, team_id=team_id, seed=seed))
    db.session.flush()
    audit(league.tournament_id, "break_made", league, user=user, size=size, seeds=result.seeds)
    return result.seeds


def withdrawn_team_ids(league) -> set:
    """Ids of the league's withdrawn teams: the standings still rank them, marked as withdrawn."""
    return set(db.session.scalars(select(Team.id).where(Team.league_id == league.id, Team.active.is_(False))))


def break_of(league):
    return db.session.scalars(select(BreakSeed).where(BreakSeed.league_id == league.id)
                              .options(selectinload(BreakSeed.team)).order_by(BreakSeed.seed)).all()
