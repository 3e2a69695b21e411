"""Standings, break and bracket."""
from flask import g, jsonify
from flask_babel import gettext as _

from ..core.extensions import db
from ..live.events import announce_tournament
from ..models import Debate, League, Round
from ..services import standings as svc
from ..services.rounds import ELIM_KINDS
from ..services.undo import delete_break
from ..services.values import require_bools
from ..text.messages import error_text
from .common import ApiError, api_bp, bearer_user, json_body, json_object, require_token, tournament_or_error
from .openapi import BOOL, EXTRA_OPERATIONS, INT, _obj, _op, _op_no_content


def _league(lid):
    league = db.session.get(League, lid)
    if league is None:
        raise ApiError(404, "not_found", _("No such league."))
    return league


def _is_staff(league):
    user = bearer_user()
    return user is not None and user.role_in(league.tournament_id) in ("director", "staff")


def _public_gate(league, flag):
    if not _is_staff(league) and not getattr(league.tournament, flag):
        raise ApiError(403, "not_released", error_text("not_released"))


@api_bp.get("/leagues/<int:lid>/standings/teams")
def team_standings(lid):
    league = _league(lid)
    _public_gate(league, "team_standings_released")
    rows = svc.team_rows(league, public=not _is_staff(league))
    return jsonify([{"rank": r.rank, "tied": r.tied, "team_id": r.team_id, "name": name, "wins": r.wins,
                     "speaker_points": r.speaker_points, "draw_strength": r.draw_strength, "margin": r.margin,
                     "average_points": r.average_points, "ballots_won": r.ballots_won,
                     "separated_by": r.separated_by} for r, name in rows])


@api_bp.get("/leagues/<int:lid>/standings/speakers")
def speaker_standings(lid):
    league = _league(lid)
    _public_gate(league, "speaker_standings_released")
    rows = svc.speaker_rows(league, public=not _is_staff(league))
    return jsonify([{"rank": r.rank, "tied": r.tied, "speaker_id": r.speaker_id, "name": name, "team_id": r.team_id,
                     "team": team, "total": r.total, "average": r.average, "speeches": r.speeches,
                     "ranked": r.ranked} for r, name, team in rows])


@api_bp.post("/leagues/<int:lid>/break")
@require_token
def make_break(lid):
    league = _league(lid)
    tournament_or_error(league.tournament_id, roles=("director",))
    data = json_body()
    if not isinstance(data, dict):
        data = {}
    try:
        size = int(data.get("size") or league.tournament.setting("break_size"))
        include = data.get("include")
        include = [int(x) for x in include] if include is not None else None
    except (TypeError, ValueError):
        raise ApiError(422, "validation_failed", _("Some values are not valid; nothing was stored."))
    seeds = svc.make_break(league, size, include=include, user=g.api_user)
    db.session.commit()
    return jsonify([{"seed": s, "team_id": t} for s, t in seeds]), 201


@api_bp.delete("/leagues/<int:lid>/break")
@require_token
def undo_break(lid):
    """Undo the break: 204 while no elimination draw of the league exists; else 409."""
    league = _league(lid)
    tournament_or_error(league.tournament_id, roles=("director",))
    delete_break(league, user=g.api_user)
    db.session.commit()
    return "", 204


def bracket_json(league, public):
    seeds = svc.break_of(league)
    rounds = db.session.query(Round).filter(Round.tournament_id == league.tournament_id,
                                            Round.kind.in_(ELIM_KINDS)).order_by(Round.seq).all()
    out = []
    for rnd in rounds:
        debates = db.session.query(Debate).filter(Debate.round_id == rnd.id, Debate.league_id == league.id) \
            .order_by(Debate.bracket_position).all()
        if not debates or (public and not rnd.draw_public(league.id)):
            continue
        show_result = not public or rnd.results_public(league.id)
        out.append({"round_id": rnd.id, "kind": rnd.kind, "debates": [
            {"id": d.id, "position": d.bracket_position,
             "gov": {"team_id": d.gov_team_id, "name": d.gov.name},
             "opp": {"team_id": d.opp_team_id, "name": d.opp.name},
             "winner": (d.winner if d.confirmed_at and show_result else None)} for d in debates]})
    return {"league_id": league.id, "seeds": [{"seed": s.seed, "team_id": s.team_id, "name": s.team.name}
                                              for s in seeds], "rounds": out}


@api_bp.get("/leagues/<int:lid>/bracket")
def bracket(lid):
    league = _league(lid)
    _public_gate(league, "bracket_released")
    return jsonify(bracket_json(league, public=not _is_staff(league)))


@api_bp.post("/tournaments/<int:tid>/release")
@require_token
def release_tabs(tid):
    t = tournament_or_error(tid, roles=("director",))
    data = json_object()
    require_bools(data, ("team_standings", "speaker_standings", "bracket"))
    for key in ("team_standings", "speaker_standings", "bracket"):
        if data.get(key) is not None:
            setattr(t, f"{key}_released", bool(data[key]))
    db.session.commit()
    announce_tournament(t)
    return jsonify({k: getattr(t, f"{k}_released") for k in ("team_standings", "speaker_standings", "bracket")})


LID = [{"name": "lid", "in": "path", "required": True, "schema": INT}]
ARR = {"type": "array", "items": {"type": "object"}}
EXTRA_OPERATIONS.update({
    "/leagues/{lid}/standings/teams": {"parameters": LID, "get": _op("Team standings", 200, ARR, secured=False,
                                                                     errors=(403, 404))},
    "/leagues/{lid}/standings/speakers": {"parameters": LID, "get": _op("Speaker standings", 200, ARR,
                                                                        secured=False, errors=(403, 404))},
    "/leagues/{lid}/break": {"parameters": LID, "post": _op("Announce the break", 201, ARR,
                                                            body=_obj({"size": INT, "include": {"type": "array", "items": INT}}),
                                                            errors=(401, 403, 404, 409, 422)),
                             "delete": _op_no_content("Undo the break before its first elimination draw")},
    "/leagues/{lid}/bracket": {"parameters": LID, "get": _op("The elimination bracket", 200, {"type": "object"},
                                                             secured=False, errors=(403, 404))},
    "/tournaments/{tid}/release": {"parameters": [{"name": "tid", "in": "path", "required": True, "schema": INT}],
                                   "post": _op("Release the tabs", 200, {"type": "object"},
                                               body=_obj({"team_standings": BOOL, "speaker_standings": BOOL,
                                                          "bracket": BOOL}),
                                               errors=(400, 401, 403, 404, 422))},
})
