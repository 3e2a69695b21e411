"""Rounds and draws: create, generate, read, release."""
from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..live.events import announce_motion_edit, announce_round
from ..models import Bye, Debate, DebateAdjudicator, Round
from ..services import attendance, draw_edits, replacements, round_lock
from ..services import rounds as svc
from ..services.undo import delete_round
from ..text.messages import error_text
from .common import (ApiError, api_bp, bearer_user, json_body, json_object, require_token, round_or_error,
                     tournament_or_error)
from .openapi import BOOL, EXTRA_OPERATIONS, INT, STR, _obj, _op, _op_no_content


def round_json(rnd):
    return {"id": rnd.id, "tournament_id": rnd.tournament_id, "number": rnd.number, "kind": rnd.kind,
            "leagues": [rl.league_id for rl in rnd.leagues], "released": rnd.draw_released,
            "motion_released": rnd.motion_released, "results_released": rnd.results_released,
            "silent": rnd.silent, **round_lock.lock_state(rnd),
            # each league's own release (the round-level flags above: released in every league)
            "release": [{"league_id": rl.league_id, "draw": bool(rl.draw_released), "motion": rl.motion_released,
                         "motion_released_at": rl.motion_released_at.isoformat() if rl.motion_released_at else None,
                         "results": bool(rl.results_released)} for rl in rnd.leagues]}


@api_bp.post("/tournaments/<int:tid>/rounds")
@require_token
def create_round(tid):
    t = tournament_or_error(tid, roles=("director",))
    data = json_object()
    rnd = svc.create_round(t, data.get("kind", "prelim"), data.get("leagues"), data.get("motions"), user=g.api_user)
    db.session.commit()
    return jsonify(round_json(rnd)), 201


@api_bp.get("/tournaments/<int:tid>/rounds")
@require_token
def list_rounds(tid):
    t = tournament_or_error(tid)
    return jsonify([round_json(r) for r in svc.rounds_of(t)])


@api_bp.post("/rounds/<int:rid>/draw")
@require_token
def generate(rid):
    rnd = round_or_error(rid)
    svc.generate_draw(rnd, regenerate=request.args.get("regenerate") == "1", user=g.api_user)
    db.session.commit()
    announce_round(rnd, "draw", league_ids=set())  # generating releases nothing: staff news only
    return jsonify(draw_json(rnd, private=True)), 201


def draw_json(rnd, private: bool):
    t = rnd.tournament
    debates = db.session.query(Debate).filter(Debate.round_id == rnd.id).options(
        selectinload(Debate.gov), selectinload(Debate.opp), selectinload(Debate.room),
        selectinload(Debate.panel).selectinload(DebateAdjudicator.adjudicator)).order_by(Debate.league_id, Debate.id).all()
    show_panels = private or not t.setting("hide_panels_public")
    public_leagues = {rl.league_id for rl in rnd.leagues if rl.draw_released}  # the public sees only these
    out = []
    for d in debates:
        if not private and d.league_id not in public_leagues:
            continue
        item = {"id": d.id, "league_id": d.league_id,
                "room": {"id": d.room.id, "name": d.room.name} if d.room else None,
                "gov": {"team_id": d.gov_team_id, "name": d.gov.name, "withdrawn": not d.gov.active},
                "opp": {"team_id": d.opp_team_id, "name": d.opp.name, "withdrawn": not d.opp.active},
                "adjudicators": [{"id": p.adjudicator_id, "name": p.adjudicator.name, "role": p.role,
                                  "withdrawn": not p.adjudicator.available}
                                 for p in d.panel] if show_panels else []}
        if private:
            item["flags"] = list(d.flags or [])
            item["bracket"] = d.bracket
        if private or rnd.results_public(d.league_id):
            item["winner"] = d.winner if d.confirmed_at else None
        out.append(item)
    byes = [b for b in db.session.query(Bye).filter(Bye.round_id == rnd.id).all()
            if private or b.league_id in public_leagues]
    motions = {str(lid): {"text": m.text, "info_slide": m.info_slide} for lid, m in svc.motions_of(rnd).items()
               if private or (lid in public_leagues and rnd.motion_public(lid))}
    return {"round": round_json(rnd), "debates": out, "motions": motions,
            "bye": [{"team_id": b.team_id, "league_id": b.league_id, "name": b.team.name} for b in byes],
            "unfilled": svc.unfilled_of(rnd) if private else []}


@api_bp.get("/rounds/<int:rid>/draw")
def read_draw(rid):
    rnd = db.session.get(Round, rid)
    if rnd is None:
        raise ApiError(404, "not_found", _("No such round."))
    user = bearer_user()
    private = user is not None and user.role_in(rnd.tournament_id) in ("director", "staff")
    if not private and not rnd.draw_released_any:
        raise ApiError(403, "not_released", error_text("not_released"))
    return jsonify(draw_json(rnd, private))


@api_bp.post("/rounds/<int:rid>/release")
@require_token
def release(rid):
    rnd = round_or_error(rid)
    data = json_object()
    changed = svc.release(rnd, draw=data.get("draw"), motion=data.get("motion"), results=data.get("results"),
                          silent=data.get("silent"), league_id=data.get("league_id"), user=g.api_user)
    db.session.commit()
    announce_round(rnd, "release", league_ids=changed)
    return jsonify(round_json(rnd))


@api_bp.put("/rounds/<int:rid>/motions/<int:lid>")
@require_token
def put_motion(rid, lid):
    rnd = round_or_error(rid)
    data = json_body()
    if not isinstance(data, dict) or not data.get("text") or not str(data.get("text")).strip():
        raise ApiError(422, "validation_failed", _("Some values are not valid; nothing was stored."),
                       {"text": error_text("required")})
    svc.set_motion(rnd, lid, data.get("text"), data.get("info_slide"))
    db.session.commit()
    announce_motion_edit(rnd, lid)
    return jsonify({"round_id": rnd.id, "league_id": lid, "text": " ".join(data["text"].split())})


@api_bp.post("/rounds/<int:rid>/edits")
@require_token
def edit_draw(rid):
    """One manual change of the draw ({"op": ...}); with ?dry_run=1 only what it would change and break."""
    rnd = round_or_error(rid)
    data = json_body()
    dry_run = request.args.get("dry_run") == "1"
    plan = draw_edits.preview(rnd, data) if dry_run else draw_edits.apply(rnd, data, user=g.api_user)
    out = {"op": plan.op, "dry_run": dry_run, "changes": plan.changes(),
           "warnings": {str(d.id): [{"code": c, "params": p, "message": error_text(c, p), "new": new}
                                    for c, p, new in ws] for d, ws in plan.touched_warnings()}}
    if not dry_run:
        db.session.commit()
        out["draw"] = draw_json(rnd, private=True)
    return jsonify(out)


@api_bp.post("/rounds/<int:rid>/unlock")
@require_token
def unlock_round(rid):
    """Unlock a confirmed round for a correction, with a reason; ?dry_run=1 shows what it exposes."""
    rnd = round_or_error(rid)
    data = json_body()
    dry_run = request.args.get("dry_run") == "1"
    reason = data.get("reason") if isinstance(data, dict) else None  # else: 422, a reason is required
    preview = round_lock.unlock(rnd, reason, g.api_user, dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    return jsonify({"round": round_json(rnd), "preview": preview, "dry_run": dry_run})


@api_bp.post("/rounds/<int:rid>/lock")
@require_token
def lock_round(rid):
    rnd = round_or_error(rid)
    round_lock.relock(rnd, g.api_user)
    db.session.commit()
    return jsonify(round_json(rnd))
@api_bp.get("/rounds/<int:rid>/availability")
@require_token
def read_availability(rid):
    """Who takes part in the round (default: every active team and available adjudicator)."""
    return jsonify(attendance.availability(round_or_error(rid, roles=("director", "staff"))))


@api_bp.put("/rounds/<int:rid>/availability")
@require_token
def put_availability(rid):
    """Name who takes part in the round, before its draw (after it: 409 checkin_after_draw)."""
    rnd = round_or_error(rid)
    out = attendance.set_availability(rnd, json_body(), user=g.api_user)
    db.session.commit()
    return jsonify(out)


@api_bp.post("/rounds/<int:rid>/replace")
@require_token
def replace_adjudicators(rid):
    """Adjudicators who leave a drawn round: their debates get replacements from the free
    adjudicators (the allocation's rules); ?dry_run=1 only proposes."""
    rnd = round_or_error(rid)
    data = json_body()
    dry_run = request.args.get("dry_run") == "1"
    changes = replacements.plan(rnd, data) if dry_run else replacements.apply(rnd, data, user=g.api_user)
    out = {"dry_run": dry_run, "debates": replacements.plan_json(changes)}
    if not dry_run:
        db.session.commit()
        announce_round(rnd, "draw", league_ids={c["debate"].league_id for c in changes
                                                if rnd.draw_public(c["debate"].league_id)})
        out["draw"] = draw_json(rnd, private=True)
    return jsonify(out)


@api_bp.delete("/rounds/<int:rid>")
@require_token
def remove_round(rid):
    """Undo a round: 204 while it has no ballot and no later round exists; else 409."""
    delete_round(round_or_error(rid), user=g.api_user)
    db.session.commit()
    return "", 204


RID = [{"name": "rid", "in": "path", "required": True, "schema": INT}]
TID = [{"name": "tid", "in": "path", "required": True, "schema": INT}]
ROUND = _obj({"id": INT, "number": INT, "kind": STR, "leagues": {"type": "array", "items": INT},
              "locked": {"type": "boolean"}, "unlocked": {"type": ["object", "null"]}},
             ["id", "number", "kind"])
DRAW = _obj({"round": {"type": "object"}, "debates": {"type": "array", "items": {"type": "object"}},
             "bye": {"type": "array"}, "unfilled": {"type": "array"}}, ["round", "debates", "bye", "unfilled"])
MOTION_IN = _obj({"text": STR, "info_slide": STR}, ["text"])
ROUND_IN = _obj({"kind": {"enum": ["prelim", "octofinal", "quarterfinal", "semifinal", "final"]},
                 "leagues": {"type": "array", "items": INT},
                 "motions": {"type": "object", "additionalProperties": MOTION_IN}})


EDIT = {"type": "object", "required": ["op"], "properties": {
    "op": {"enum": list(draw_edits.OPS)}, "adjudicator_id": INT, "debate_id": INT,
    "role": {"enum": ["chair", "panellist"]}, "locked": {"type": "boolean"}, "swap_with": INT,
    "team_a": INT, "team_b": INT, "room_id": INT},
    "description": "move: adjudicator_id to debate_id as role (seat locked); remove, chair: adjudicator_id; "
                   "lock_seat: adjudicator_id, locked (absent: toggle; a locked seat is kept on re-allocation); "
                   "swap_adjudicators: adjudicator_id, swap_with; "
                   "swap_teams: team_a, team_b (same league); swap_sides: debate_id; set_room: debate_id, room_id "
                   "(exchanged with the debate that had it); reassign_rooms. A locked round: 409 round_locked."}
DRY_RUN = [{"name": "dry_run", "in": "query", "required": False, "schema": {"enum": ["1"]}}]
EDITED = _obj({"op": STR, "dry_run": {"type": "boolean"}, "changes": {"type": "array", "items": {"type": "object"}},
               "warnings": {"type": "object"}, "draw": DRAW}, ["op", "dry_run", "changes", "warnings"])
UNLOCKED = _obj({"round": ROUND, "dry_run": {"type": "boolean"},
                 "preview": _obj({"confirmed_debates": {"type": "array", "items": {"type": "object"}},
                                  "later_rounds": {"type": "array", "items": {"type": "object"}},
                                  "results_released": {"type": "boolean"}})}, ["round", "preview"])

AVAILABILITY = _obj({"round_id": INT, "drawn": {"type": "boolean"}, "teams": {"type": "array", "items": INT},
                     "adjudicators": {"type": "array", "items": INT}}, ["round_id", "teams", "adjudicators"])
REPLACED = _obj({"dry_run": {"type": "boolean"}, "debates": {"type": "array", "items": _obj(
    {"debate_id": INT, "league_id": INT, "leaving": {"type": "array", "items": INT},
     "panel": {"type": "array", "items": {"type": "object"}}})}, "draw": DRAW}, ["dry_run", "debates"])


def _with_query(op, params):
    return {**op, "parameters": params}


EXTRA_OPERATIONS.update({
    "/rounds/{rid}/edits": {"parameters": RID,
                            "post": _with_query(_op("Change the draw by hand (or preview the change with "
                                                    "dry_run=1)", 200, EDITED, body=EDIT,
                                                    errors=(400, 401, 403, 404, 409, 422)), DRY_RUN)},
    "/rounds/{rid}/unlock": {"parameters": RID,
                             "post": _with_query(_op("Unlock a confirmed round for a correction (director, with a "
                                                     "reason; dry_run=1: what it exposes)", 200, UNLOCKED,
                                                     body=_obj({"reason": STR}, ["reason"]),
                                                     errors=(400, 401, 403, 404, 409, 422)), DRY_RUN)},
    "/rounds/{rid}/lock": {"parameters": RID,
                           "post": _op("Lock an unlocked round again", 200, ROUND, errors=(401, 403, 404))},
    "/tournaments/{tid}/rounds": {"parameters": TID,
                                  "post": _op("Create a round", 201, ROUND, body=ROUND_IN,
                                              errors=(400, 401, 403, 404, 409, 422)),
                                  "get": _op("List rounds", 200, {"type": "array", "items": ROUND},
                                             errors=(401, 403, 404))},
    "/rounds/{rid}/draw": {"parameters": RID,
                           "post": _op("Generate the draw, panels and rooms", 201, DRAW,
                                       errors=(401, 403, 404, 409)),
                           "get": _op("Read the draw (public once released)", 200, DRAW, secured=False,
                                      errors=(403, 404))},
    "/rounds/{rid}/release": {"parameters": RID,
                              "post": _op("Release the draw, motion or results", 200, ROUND,
                                          body=_obj({"draw": BOOL, "motion": BOOL, "results": BOOL, "silent": BOOL,
                                                     "league_id": INT}),
                                          errors=(400, 401, 403, 404, 409, 422))},
    "/rounds/{rid}/motions/{lid}": {"parameters": RID + [{"name": "lid", "in": "path", "required": True,
                                                          "schema": INT}],
                                    "put": _op("Set a league's motion for the round", 200, {"type": "object"},
                                               body=MOTION_IN,
                                               errors=(400, 401, 403, 404, 422))},
    "/rounds/{rid}/availability": {
        "parameters": RID,
        "get": _op("Who takes part in the round (default: every active team and available adjudicator)", 200,
                   AVAILABILITY, errors=(401, 403, 404)),
        "put": _op("Name who takes part in the round (before its draw; after it 409 checkin_after_draw)", 200,
                   AVAILABILITY, body=_obj({"teams": {"type": "array", "items": INT},
                                            "adjudicators": {"type": "array", "items": INT}}),
                   errors=(400, 401, 403, 404, 409, 422))},
    "/rounds/{rid}/replace": {"parameters": RID,
                              "post": _with_query(_op("Replace adjudicators who leave a drawn round (dry_run=1: "
                                                      "the proposal only)", 200, REPLACED,
                                                      body=_obj({"adjudicators": {"type": "array", "items": INT},
                                                                 "withdraw": {"type": "boolean"}},
                                                                ["adjudicators"]),
                                                      errors=(400, 401, 403, 404, 409, 422)), DRY_RUN)},
    "/rounds/{rid}": {"parameters": RID,
                      "delete": _op_no_content("Delete a round with no ballot and no later round")},
})
