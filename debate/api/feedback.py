"""Feedback on adjudicators: teams and panellists send it with their private key; the
tournament's directors read it (never anyone else: it is not public)."""
from flask import jsonify, request
from flask_babel import gettext as _

from ..core.extensions import db
from ..models import Adjudicator
from ..services import feedback as svc
from .common import ApiError, api_bp, json_body, require_token, tournament_or_error
from .openapi import EXTRA_OPERATIONS, INT, NUM, STR, _obj, _op


def feedback_json(f) -> dict:
    """For the tournament's directors only: who gave it, on which debate and round."""
    if f.source_team_id is not None:
        source = {"kind": f.source_kind, "team_id": f.source_team_id, "name": f.source_team.name}
    else:
        source = {"kind": f.source_kind, "adjudicator_id": f.source_adjudicator_id, "name": f.source_adjudicator.name}
    return {"id": f.id, "version": f.version, "debate_id": f.debate_id,
            "round": {"id": f.round_id, "seq": f.round.seq, "kind": f.round.kind, "number": f.round.number},
            "source": source, "score": f.score, "comment": f.comment}


@api_bp.post("/feedback")
def submit_feedback():
    source = svc.source_from_keys(request.headers.get("X-Team-Key"), request.headers.get("X-Adjudicator-Key"))
    data = json_body()
    fb, created = svc.submit(source, data)
    db.session.commit()  # nothing is announced: feedback is never live or public
    return jsonify({"id": fb.id, "version": fb.version}), (201 if created else 200)


@api_bp.get("/adjudicators/<int:aid>/feedback")
@require_token
def adjudicator_feedback(aid):
    adj = db.session.get(Adjudicator, aid)
    if adj is None:
        raise ApiError(404, "not_found", _("No such adjudicator."))
    tournament_or_error(adj.tournament_id, roles=("director",))
    s = svc.adjudicator_summary(adj)
    return jsonify({"adjudicator_id": adj.id, "average": s.average, "count": s.n,
                    "feedback": [feedback_json(f) for f in s.items]})


FEEDBACK_IN = _obj({"debate_id": INT, "adjudicator_id": INT, "score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "comment": STR, "client_id": STR}, ["debate_id", "adjudicator_id", "score", "client_id"])
FEEDBACK_OUT = _obj({"id": INT, "version": INT}, ["id", "version"])
submit_op = _op("Give feedback on an adjudicator (X-Team-Key or X-Adjudicator-Key)", 201, FEEDBACK_OUT,
                body=FEEDBACK_IN, secured=False, errors=(400, 401, 403, 404, 409, 422))
submit_op["security"] = [{"teamKey": []}, {"adjudicatorKey": []}]
submit_op["responses"]["200"] = {"description": "the same client_id again: nothing new stored",
                                 "content": {"application/json": {"schema": FEEDBACK_OUT}}}
EXTRA_OPERATIONS.update({
    "/feedback": {"post": submit_op},
    "/adjudicators/{aid}/feedback": {
        "parameters": [{"name": "aid", "in": "path", "required": True, "schema": INT}],
        "get": _op("Every latest feedback on an adjudicator, with the average (directors)", 200,
                   _obj({"adjudicator_id": INT, "average": {"type": ["number", "null"]}, "count": INT,
                         "feedback": {"type": "array", "items": _obj({"id": INT, "version": INT, "debate_id": INT,
                                                                      "score": NUM})}},
                        ["adjudicator_id", "average", "feedback"]),
                   errors=(401, 403, 404))},
})
