from flask import g, jsonify, request
from sqlalchemy import select

from ..core.extensions import db
from ..models import Tournament, TournamentMember
from ..services.erasure import anonymise_tournament, delete_tournament
from ..services.participants import ValidationFailed
from ..services.tournaments import create_tournament, update_tournament
from .common import api_bp, json_object, require_token, tournament_or_error, validation_error
from .openapi import EXTRA_OPERATIONS, INT, STR, _obj, _op, _op_no_content
from .serializers import tournament_json


@api_bp.post("/tournaments")
@require_token
def create():
    data = json_object()
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
    data = json_object()
    try:
        update_tournament(t, data, user=g.api_user)
    except ValidationFailed as e:
        db.session.rollback()
        return validation_error(e.errors)
    db.session.commit()
    return jsonify(tournament_json(t))


def _confirmation():
    """The typed confirmation {"confirm": "<the tournament's name>"} (checked by the service)."""
    data = request.get_json(silent=True)
    return data.get("confirm") if isinstance(data, dict) else None


@api_bp.post("/tournaments/<int:tid>/anonymise")
@require_token
def anonymise(tid):
    """Erase the pupils' and coaches' personal data; results and standings stay."""
    t = tournament_or_error(tid, roles=("director",))
    counts = anonymise_tournament(t, _confirmation(), user=g.api_user)
    db.session.commit()
    return jsonify({**tournament_json(t), "anonymised": counts})


@api_bp.delete("/tournaments/<int:tid>")
@require_token
def remove_tournament(tid):
    """Delete the whole tournament (typed confirmation; audited at the instance level)."""
    t = tournament_or_error(tid, roles=("director",))
    delete_tournament(t, _confirmation(), user=g.api_user)
    db.session.commit()
    return "", 204


CONFIRM = _obj({"confirm": STR}, ["confirm"])
TID = [{"name": "tid", "in": "path", "required": True, "schema": INT}]
EXTRA_OPERATIONS.update({
    "/tournaments/{tid}/anonymise": {
        "parameters": TID,
        "post": _op("Anonymise the pupils and coaches (confirm: the tournament's name)", 200, {"type": "object"},
                    body=CONFIRM, errors=(401, 403, 404, 422))},
    "/tournaments/{tid}": {
        "delete": _op_no_content("Delete the whole tournament (confirm: the tournament's name)", body=CONFIRM,
                                 errors=(401, 403, 404, 422))},
})
