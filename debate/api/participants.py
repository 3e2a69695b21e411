from flask import g, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Adjudicator, Room, Team
from ..models.people import may_see_secrets
from ..services import participants as svc
from .common import api_bp, json_body, require_token, tournament_or_error, validation_error
from .serializers import adjudicator_json, room_json, team_json


def _create(tid, add, to_json):
    t = tournament_or_error(tid, roles=("director",))
    data = json_body()
    g.api_list = isinstance(data, list)
    items = data if g.api_list else [data]
    try:
        created = add(t, items)
    except svc.ValidationFailed as e:
        db.session.rollback()
        return validation_error(e.errors)
    db.session.commit()
    secrets = may_see_secrets(g.api_user, t.id)
    out = [to_json(x, secrets) for x in created]
    return jsonify(out if g.api_list else out[0]), 201


@api_bp.post("/tournaments/<int:tid>/teams")
@require_token
def create_teams(tid):
    return _create(tid, svc.add_teams, lambda x, secrets: team_json(x, secrets=secrets))


@api_bp.post("/tournaments/<int:tid>/adjudicators")
@require_token
def create_adjudicators(tid):
    return _create(tid, svc.add_adjudicators, lambda x, secrets: adjudicator_json(x, secrets=secrets))


@api_bp.post("/tournaments/<int:tid>/rooms")
@require_token
def create_rooms(tid):
    return _create(tid, svc.add_rooms, lambda x, _secrets: room_json(x))


@api_bp.get("/tournaments/<int:tid>/teams")
@require_token
def list_teams(tid):
    t = tournament_or_error(tid)
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.league_id, Team.name)
                               .options(selectinload(Team.speakers), selectinload(Team.school),
                                        selectinload(Team.coach)))
    secrets = may_see_secrets(g.api_user, t.id)
    return jsonify([team_json(x, private=True, secrets=secrets) for x in teams])


@api_bp.get("/tournaments/<int:tid>/adjudicators")
@require_token
def list_adjudicators(tid):
    t = tournament_or_error(tid)
    adjs = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id).order_by(Adjudicator.name)
                              .options(selectinload(Adjudicator.team_conflicts),
                                       selectinload(Adjudicator.school_conflicts)))
    secrets = may_see_secrets(g.api_user, t.id)
    return jsonify([adjudicator_json(a, secrets=secrets) for a in adjs])


@api_bp.get("/tournaments/<int:tid>/rooms")
@require_token
def list_rooms(tid):
    t = tournament_or_error(tid)
    rooms = db.session.scalars(select(Room).where(Room.tournament_id == t.id).order_by(Room.name))
    return jsonify([room_json(r) for r in rooms])
