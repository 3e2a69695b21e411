from flask import g, jsonify
from sqlalchemy import select

from ..extensions import db
from ..models import Tournament, TournamentMember
from ..services.participants import ValidationFailed
from ..services.tournaments import create_tournament, update_tournament
from .common import ApiError, api_bp, json_body, require_token, tournament_or_error, validation_error
from .serializers import tournament_json


@api_bp.post("/tournaments")
@require_token
def create():
    data = json_body()
    if not isinstance(data, dict):
        raise ApiError(422, "validation_failed", "object expected")
    try:
        t = create_tournament(g.api_user, data)
    except ValidationFailed as e:
        db.session.rollback()
        return validation_error(e.errors)
    db.session.commit()
    return jsonify(tournament_json(t)), 201


@api_bp.get("/tournaments")
@require_token
def list_():
    rows = db.session.scalars(select(Tournament).join(TournamentMember).where(
        TournamentMember.user_id == g.api_user.id).order_by(Tournament.created_at.desc(), Tournament.id.desc()))
    return jsonify([tournament_json(t) for t in rows])


@api_bp.get("/tournaments/<int:tid>")
@require_token
def get(tid):
    return jsonify(tournament_json(tournament_or_error(tid)))


@api_bp.patch("/tournaments/<int:tid>")
@require_token
def patch(tid):
    t = tournament_or_error(tid, roles=("director",))
    data = json_body()
    if not isinstance(data, dict):
        raise ApiError(422, "validation_failed", "object expected")
    try:
        update_tournament(t, data, user=g.api_user)
    except ValidationFailed as e:
        db.session.rollback()
        return validation_error(e.errors)
    db.session.commit()
    return jsonify(tournament_json(t))
