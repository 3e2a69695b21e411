"""Who takes part in a round: the registration desk's check-in, the API's availability and an
adjudicator's own "I am here" (services/replacements.py: the adjudicator who leaves later).

Presence is set per round before its draw; the draw (services/rounds.py) and the allocation
use exactly the teams and adjudicators taking part. The tab logic decides (tab/attendance.py);
this module loads, checks and stores."""
from sqlalchemy import delete, select

from ..core.extensions import db
from ..models import Adjudicator, Round, RoundAttendance, Team
from ..tab import attendance as tab_att
from .audit import audit
from .errors import Refused

# ----- reading -----

def _marks(rnd, column) -> dict:
    rows = db.session.execute(select(column, RoundAttendance.present)
                              .where(RoundAttendance.round_id == rnd.id, column.is_not(None))).all()
    return {i: present for i, present in rows}


def team_marks(rnd) -> dict:
    return _marks(rnd, RoundAttendance.team_id)


def adjudicator_marks(rnd) -> dict:
    return _marks(rnd, RoundAttendance.adjudicator_id)


def present_team_ids(rnd) -> set:
    eligible = dict(db.session.execute(select(Team.id, Team.active).where(Team.tournament_id == rnd.tournament_id)).all())
    return tab_att.taking_part(eligible, team_marks(rnd))


def present_adjudicator_ids(rnd) -> set:
    eligible = dict(db.session.execute(select(Adjudicator.id, Adjudicator.available)
                                       .where(Adjudicator.tournament_id == rnd.tournament_id)).all())
    return tab_att.taking_part(eligible, adjudicator_marks(rnd))


def availability(rnd) -> dict:
    """{"teams": [ids], "adjudicators": [ids]} taking part in the round (sorted)."""
    return {"round_id": rnd.id, "drawn": bool(rnd.debates),
            "teams": sorted(present_team_ids(rnd)), "adjudicators": sorted(present_adjudicator_ids(rnd))}


def desk(rnd) -> dict:
    """The check-in desk: every team (by league) and adjudicator with their state for the round,
    and the counts per league."""
    t = rnd.tournament
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.name)).all()
    adjs = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)
                              .order_by(Adjudicator.name)).all()
    tm, am = team_marks(rnd), adjudicator_marks(rnd)
    leagues = [rl.league for rl in sorted(rnd.leagues, key=lambda rl: rl.league_id)]
    by_league = {lg.id: [] for lg in leagues}
    for tm_ in teams:
        if tm_.league_id in by_league:
            by_league[tm_.league_id].append({"team": tm_, "withdrawn": not tm_.active,
                                             "present": tm_.active and tm.get(tm_.id, True)})
    counts = [{"league": lg, "present": sum(1 for r in by_league[lg.id] if r["present"]),
               "total": sum(1 for r in by_league[lg.id] if not r["withdrawn"])} for lg in leagues]
    adj_rows = [{"adjudicator": a, "withdrawn": not a.available, "present": a.available and am.get(a.id, True)}
                for a in adjs]
    return {"leagues": [(lg, by_league[lg.id]) for lg in leagues], "counts": counts, "adjudicators": adj_rows,
            "adjudicators_present": sum(1 for r in adj_rows if r["present"]),
            "adjudicators_total": sum(1 for r in adj_rows if not r["withdrawn"])}


# ----- setting -----

def _ensure_open(rnd):
    if rnd.debates:
        raise Refused(409, "checkin_after_draw", {"round": rnd.number, "kind": rnd.kind})


def _ids(value, field, known: dict, withdrawn_ok: bool, fields: dict) -> set:
    """A list of ids of this tournament's people; the first problem goes into fields."""
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        fields[field] = "not_a_list_of_ids"
        return set()
    unknown = [v for v in value if v not in known]
    if unknown:
        fields[field] = ("unknown_ids", {"ids": ", ".join(str(v) for v in unknown[:10])})
        return set()
    withdrawn = [v for v in value if not known[v]]
    if withdrawn and not withdrawn_ok:
        fields[field] = ("withdrawn_ids", {"ids": ", ".join(str(v) for v in withdrawn[:10])})
    return set(value)


def set_availability(rnd, data, user=None) -> dict:
    """Who takes part ({"teams": [...], "adjudicators": [...]}; a list left out stays as it is).
    Before the draw only; ids of another tournament or of withdrawn people: 422, nothing changed."""
    _ensure_open(rnd)
    if not isinstance(data, dict) or not ({"teams", "adjudicators"} & set(data)):
        raise Refused(422, "validation_failed", fields={"teams": "required"})
    t_id = rnd.tournament_id
    league_ids = {rl.league_id for rl in rnd.leagues}
    teams = dict(db.session.execute(select(Team.id, Team.active).where(Team.tournament_id == t_id,
                                                                       Team.league_id.in_(league_ids))).all())
    adjs = dict(db.session.execute(select(Adjudicator.id, Adjudicator.available)
                                   .where(Adjudicator.tournament_id == t_id)).all())
    fields = {}
    chosen_t = _ids(data["teams"], "teams", teams, False, fields) if "teams" in data else None
    chosen_a = _ids(data["adjudicators"], "adjudicators", adjs, False, fields) if "adjudicators" in data else None
    if fields:
        raise Refused(422, "validation_failed", fields=fields)
    if chosen_t is not None:
        _store(rnd, RoundAttendance.team_id, "team_id", {i: i in chosen_t for i in teams})
    if chosen_a is not None:
        _store(rnd, RoundAttendance.adjudicator_id, "adjudicator_id", {i: i in chosen_a for i in adjs})
    out = availability(rnd)
    audit(t_id, "availability_set", rnd, user=user, teams=len(out["teams"]), adjudicators=len(out["adjudicators"]))
    return out


def _store(rnd, column, attr, present: dict):
    db.session.execute(delete(RoundAttendance).where(RoundAttendance.round_id == rnd.id, column.is_not(None)))
    for i, p in present.items():
        db.session.add(RoundAttendance(round_id=rnd.id, present=p, **{attr: i}))
    db.session.flush()


def _mark(rnd, attr, obj_id, present: bool):
    column = getattr(RoundAttendance, attr)
    row = db.session.scalar(select(RoundAttendance).where(RoundAttendance.round_id == rnd.id, column == obj_id))
    if row is None:
        db.session.add(RoundAttendance(round_id=rnd.id, present=present, **{attr: obj_id}))
    else:
        row.present = present
    db.session.flush()


def toggle(rnd, kind, obj_id, user=None, present=None) -> bool:
    """The desk's one tap: a team or adjudicator present <-> absent for the round (present: set
    it instead of toggling). Returns the new state. Another tournament's id: 404; a withdrawn
    person: 409."""
    _ensure_open(rnd)
    model = {"team": Team, "adjudicator": Adjudicator}.get(kind)
    obj = db.session.get(model, obj_id) if model is not None else None
    if obj is None or obj.tournament_id != rnd.tournament_id or \
            (kind == "team" and obj.league_id not in {rl.league_id for rl in rnd.leagues}):
        raise Refused(404, "unknown_participant")
    if not (obj.active if kind == "team" else obj.available):
        raise Refused(409, "participant_withdrawn", {"name": obj.name})
    now = (present_team_ids(rnd) if kind == "team" else present_adjudicator_ids(rnd))
    new = (obj.id not in now) if present is None else bool(present)
    _mark(rnd, f"{kind}_id", obj.id, new)
    audit(rnd.tournament_id, "checked_in" if new else "checked_out", rnd, user=user, kind=kind, id=obj.id,
          name=obj.name)
    return new


def next_undrawn_round(tournament_id):
    return db.session.scalar(select(Round).where(Round.tournament_id == tournament_id, ~Round.debates.any())
                             .order_by(Round.seq).limit(1))


def adjudicator_here(adj) -> Round:
    """The adjudicator's own "I am here" (their private page): present for the next round not
    yet drawn. None to check in for: 409."""
    if not adj.available:
        raise Refused(409, "participant_withdrawn", {"name": adj.name})
    rnd = next_undrawn_round(adj.tournament_id)
    if rnd is None:
        raise Refused(409, "no_round_to_check_in")
    _mark(rnd, "adjudicator_id", adj.id, True)
    audit(adj.tournament_id, "checked_in", rnd, adjudicator_id=adj.id, kind="adjudicator", id=adj.id,
          name=adj.name, by_self=True)
    return rnd


def confirmed_here(adj, rnd) -> bool:
    return rnd is not None and adjudicator_marks(rnd).get(adj.id) is True
