"""Ballots: adjudicators submit with their private key; tab staff confirm."""
import hmac

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core.extensions import db
from ..live.events import announce_ballot, announce_ballot_submitted
from ..models import Adjudicator, Ballot, Debate
from ..services import ballots as svc
from ..services import corrections as corrections_svc
from ..services.errors import Refused
from ..text.i18n import iso_time
from ..text.messages import error_text, field_errors_text
from .common import (MAX_INT, ApiError, api_bp, bearer_user, json_body, json_object, require_token,
                     round_or_error, tournament_or_error)
from .openapi import EXTRA_OPERATIONS, INT, NSTR, STR, _obj, _op


def adjudicator_from_header():
    key = request.headers.get("X-Adjudicator-Key", "")
    if not key or len(key) > 64:
        return None
    adj = db.session.scalar(select(Adjudicator).where(Adjudicator.private_key == key))
    return adj if adj is not None and hmac.compare_digest(adj.private_key, key) else None


def submitting_account():
    """The account behind a key submission, if the request carries one (an API token, or the
    session cookie a signed-in browser sends with the phone page's request); else None."""
    if request.headers.get("Authorization"):
        return bearer_user()
    return current_user if current_user.is_authenticated else None


def ballot_json(b):
    return {"id": b.id, "debate_id": b.debate_id, "adjudicator_id": b.adjudicator_id, "status": b.status,
            "version": b.version, "winner": b.winner, "scores": b.scores, "speakers": b.speakers,
            "nominations": b.nominations, "client_id": b.client_id,
            "created_at": iso_time(b.created_at)}


def _debate_for(did, roles=None, *, unknown_to_outsiders=False):
    """The debate, else 404; with roles, only for an API user with one of them in its tournament
    (else 403; else 404 with unknown_to_outsiders, for a user who does not work on the tournament at all)."""
    debate = db.session.get(Debate, did)
    if debate is None or (unknown_to_outsiders and g.api_user.role_in(debate.round.tournament_id) is None):
        raise ApiError(404, "not_found", _("No such debate."))
    if roles:
        tournament_or_error(debate.round.tournament_id, roles=roles)
    return debate


@api_bp.post("/ballots")
def submit():
    """Every phone of a round sends its ballot within minutes: the key, the seat, the debate and
    everything validation needs are read in one query (services.ballots.submit_with_key)."""
    key = request.headers.get("X-Adjudicator-Key", "")
    if not key or len(key) > 64:
        raise ApiError(401, "unauthorized", _("A valid adjudicator key is required."))
    try:
        data = json_body()
        if not isinstance(data, dict):
            raise ApiError(422, "validation_failed", _("Some values are not valid; nothing was stored."))
        try:  # "debate_id": "99999999999999999999" (a string) gave a 500 (OverflowError in the database)
            out_of_range = abs(int(data.get("debate_id"))) > MAX_INT
        except (TypeError, ValueError):
            out_of_range = False
        if out_of_range:
            raise ApiError(422, "validation_failed", _("Some values are not valid; nothing was stored."),
                           field_errors_text({"debate_id": ("required", {})}))
    except ApiError:
        if adjudicator_from_header() is None:  # a wrong key is told first, whatever the body
            raise ApiError(401, "unauthorized", _("A valid adjudicator key is required."))
        raise
    try:
        ballot, created = svc.submit_with_key(key, data, entered_by=submitting_account())
    except svc.UnknownKey:
        db.session.rollback()
        raise ApiError(401, "unauthorized", _("A valid adjudicator key is required."))
    except Refused as e:
        if e.code in svc.KEEP_ON_REFUSAL:
            db.session.commit()  # what the late ballot carried stays in the audit log
        raise
    db.session.commit()
    if created:  # after the commit: the tab room never hears of a ballot that is not stored
        announce_ballot_submitted(ballot.tournament_id, ballot.round_id, ballot.debate_id, ballot.id)
    return jsonify(ballot_json(ballot)), (201 if created else 200)


@api_bp.post("/ballots/<int:bid>/confirm")
@require_token
def confirm(bid):
    ballot = db.session.get(Ballot, bid)
    if ballot is None:
        raise ApiError(404, "not_found", _("No such ballot."))
    tournament_or_error(ballot.debate.round.tournament_id)
    svc.confirm_ballot(ballot, g.api_user)
    db.session.commit()
    announce_ballot(ballot.debate, ballot.id, "confirmed")
    return jsonify({"id": ballot.id, "status": ballot.status})


@api_bp.get("/debates/<int:did>/result")
def debate_result(did):
    debate = _debate_for(did)
    user = bearer_user()
    rnd = debate.round
    private = user is not None and user.role_in(rnd.tournament_id) in ("director", "staff")
    if not private and not rnd.results_public(debate.league_id):
        raise ApiError(403, "not_released", error_text("not_released"))
    return jsonify(svc.debate_result(debate, private))


@api_bp.post("/debates/<int:did>/corrections")
@require_token
def correct(did):
    """A director's correction of a result; ?dry_run=1 answers the same without storing."""
    debate = _debate_for(did, roles=("director",))
    data = json_object()
    dry_run = request.args.get("dry_run") in ("1", "true")
    out = corrections_svc.correct(debate, g.api_user, data, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        return jsonify(out), 200
    db.session.commit()
    if out.get("forfeit_undone"):  # the forfeit's result is gone (public pages showed it)
        announce_ballot(debate, None, "forfeit_undone")
    announce_ballot(debate, out["ballot"]["id"], out["ballot"]["status"])
    return jsonify(out), 201


@api_bp.post("/rounds/<int:rid>/confirm")
@require_token
def confirm_round(rid):
    """Confirm every debate of the round (or of one league) whose ballots are complete and agree."""
    rnd = round_or_error(rid, roles=("director", "staff"))
    data = request.get_json(silent=True) or {}
    league_id = data.get("league_id") if isinstance(data, dict) else None
    if league_id is not None and (isinstance(league_id, bool) or not isinstance(league_id, int)
                                  or league_id not in {rl.league_id for rl in rnd.leagues}):
        raise Refused(422, "validation_failed", fields={"league_id": ("unknown_league", {})})
    out = svc.confirm_round(rnd, g.api_user, league_id)
    db.session.commit()
    for did in out["confirmed"]:
        announce_ballot(db.session.get(Debate, did), 0, "confirmed")
    return jsonify(out)


@api_bp.post("/debates/<int:did>/forfeit")
@require_token
def forfeit(did):
    """The director records that a team did not appear (services.ballots.record_forfeit)."""
    # A debate of a tournament the user does not work on is not found, as if it did not exist.
    debate = _debate_for(did, roles=("director",), unknown_to_outsiders=True)
    data = json_body()
    absent = data.get("absent") if isinstance(data, dict) else None
    svc.record_forfeit(debate, absent, user=g.api_user)
    db.session.commit()
    announce_ballot(debate, None, "confirmed")
    return jsonify(svc.debate_result(debate, True))


BALLOT_IN = _obj({"debate_id": INT, "client_id": STR, "winner": {"enum": ["gov", "opp"]},
                  "scores": {"type": "object"}, "speakers": {"type": "object"}, "nominations": {"type": "object"}},
                 ["debate_id", "client_id", "winner"])
BALLOT_OUT = _obj({"id": INT, "debate_id": INT, "adjudicator_id": INT, "status": STR, "version": INT},
                  ["id", "debate_id", "adjudicator_id", "status", "version"])
submit_op = _op("Submit a ballot (X-Adjudicator-Key)", 201, BALLOT_OUT, body=BALLOT_IN, secured=False,
                errors=(400, 401, 403, 409, 422))
submit_op["security"] = [{"adjudicatorKey": []}]
submit_op["responses"]["200"] = {"description": "the same client_id again: the stored ballot",
                                 "content": {"application/json": {"schema": BALLOT_OUT}}}
AFFECTED = _obj({"rounds": {"type": "array", "items": INT}, "break": {"type": "boolean"},
                 "standings": {"type": "array", "items": _obj({"team_id": INT, "old": INT, "new": INT})},
                 "awards": {"type": "array", "items": INT}}, ["rounds", "break"])
CORRECTION_IN = _obj({"adjudicator_id": INT, "winner": {"enum": ["gov", "opp"]}, "scores": {"type": "object"},
                      "speakers": {"type": "object"}, "reason": STR}, ["adjudicator_id", "winner", "reason"])
CORRECTION_OUT = _obj({"ballot": {"type": "object"}, "result": {"type": "object"}, "affected": AFFECTED,
                       "forfeit_undone": NSTR},
                      ["ballot", "result", "affected"])
ROUND_CONFIRM_OUT = _obj({"confirmed": {"type": "array", "items": INT},
                          "not_confirmed": {"type": "array", "items": _obj({"debate_id": INT, "reason": STR})}},
                         ["confirmed", "not_confirmed"])
correction_op = _op("Correct a result (director); ?dry_run=1 previews without storing", 201, CORRECTION_OUT,
                    body=CORRECTION_IN, errors=(400, 401, 403, 404, 409, 422))
correction_op["parameters"] = [{"name": "dry_run", "in": "query", "required": False, "schema": STR}]
correction_op["responses"]["200"] = {"description": "dry run: what the correction would do",
                                     "content": {"application/json": {"schema": CORRECTION_OUT}}}
EXTRA_OPERATIONS.update({
    "/debates/{did}/corrections": {"parameters": [{"name": "did", "in": "path", "required": True, "schema": INT}],
                                   "post": correction_op},
    "/rounds/{rid}/confirm": {"parameters": [{"name": "rid", "in": "path", "required": True, "schema": INT}],
                              "post": _op("Confirm every debate whose ballots are complete and agree", 200,
                                          ROUND_CONFIRM_OUT, body=_obj({"league_id": INT}),
                                          errors=(401, 403, 404, 422))},
    "/ballots": {"post": submit_op},
    "/ballots/{bid}/confirm": {"parameters": [{"name": "bid", "in": "path", "required": True, "schema": INT}],
                               "post": _op("Confirm a ballot", 200, _obj({"id": INT, "status": STR}),
                                           errors=(401, 403, 404, 409))},
    "/debates/{did}/forfeit": {"parameters": [{"name": "did", "in": "path", "required": True, "schema": INT}],
                               "post": _op("Record a forfeit (director): the team present wins", 200,
                                           _obj({"debate_id": INT, "status": STR, "forfeit": STR}),
                                           body=_obj({"absent": {"enum": ["gov", "opp"]}}, ["absent"]),
                                           errors=(400, 401, 403, 404, 409, 422))},
    "/debates/{did}/result": {"parameters": [{"name": "did", "in": "path", "required": True, "schema": INT}],
                              "get": _op("A debate's result", 200, _obj({"debate_id": INT, "status": STR}),
                                         secured=False, errors=(403, 404))},
})
