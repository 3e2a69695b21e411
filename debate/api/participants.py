from flask import g, jsonify
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Adjudicator, Room, Team
from ..models.people import may_see_secrets
from ..services import participants as svc
from ..services.errors import Refused
from .common import ApiError, api_bp, json_body, require_token, tournament_or_error, validation_error
from .openapi import BOOL, EXTRA_OPERATIONS, INT, _obj, _op, _op_no_content
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


# ----- one participant: withdraw (PATCH) or delete (DELETE) -----

def _participant(model, oid):
    """The team, adjudicator or room with this id, for a director of its tournament."""
    obj = db.session.get(model, oid)
    if obj is None:
        raise ApiError(404, "not_found", _("Not found."))
    tournament_or_error(obj.tournament_id, roles=("director",))
    return obj


def _flag(data, key):
    """{key: true|false} from a PATCH body; anything else is a 422 that changes nothing."""
    if not isinstance(data, dict):
        raise Refused(422, "validation_failed", fields={"": "required"})
    if key not in data:
        return None
    if not isinstance(data[key], bool):
        raise Refused(422, "validation_failed", fields={key: "not_a_bool"})
    return data[key]


def _patch(model, oid, key, set_flag, to_json):
    """PATCH {key: true|false} on one participant through the service's setter; the participant back."""
    obj = _participant(model, oid)
    value = _flag(json_body(), key)
    if value is not None:
        set_flag(obj, value, user=g.api_user)
    db.session.commit()
    return jsonify(to_json(obj))


@api_bp.patch("/teams/<int:oid>")
@require_token
def patch_team(oid):
    return _patch(Team, oid, "active", svc.set_team_active, lambda team: team_json(team, private=True))


@api_bp.patch("/adjudicators/<int:oid>")
@require_token
def patch_adjudicator(oid):
    return _patch(Adjudicator, oid, "available", svc.set_adjudicator_available, adjudicator_json)


def _delete(model, oid):
    svc.delete_participant(_participant(model, oid), user=g.api_user)
    db.session.commit()
    return "", 204


@api_bp.delete("/teams/<int:oid>")
@require_token
def delete_team(oid):
    return _delete(Team, oid)


@api_bp.delete("/adjudicators/<int:oid>")
@require_token
def delete_adjudicator(oid):
    return _delete(Adjudicator, oid)


@api_bp.delete("/rooms/<int:oid>")
@require_token
def delete_room(oid):
    return _delete(Room, oid)


OID = [{"name": "oid", "in": "path", "required": True, "schema": INT}]


EXTRA_OPERATIONS.update({
    "/teams/{oid}": {"parameters": OID,
                     "patch": _op("Withdraw a team (active: false) or bring it back", 200, {"type": "object"},
                                  body=_obj({"active": BOOL}), errors=(400, 401, 403, 404, 422)),
                     "delete": _op_no_content("Delete a team that appears in no draw or ballot (else 409 in_use)")},
    "/adjudicators/{oid}": {"parameters": OID,
                            "patch": _op("Withdraw an adjudicator (available: false) or bring them back", 200,
                                         {"type": "object"}, body=_obj({"available": BOOL}),
                                         errors=(400, 401, 403, 404, 422)),
                            "delete": _op_no_content("Delete an adjudicator who is on no panel and gave no ballot "
                                                 "(else 409 in_use)")},
    "/rooms/{oid}": {"parameters": OID,
                     "delete": _op_no_content("Delete a room used in no draw (else 409 in_use)")},
})
