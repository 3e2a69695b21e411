"""Receiving, versioning and confirming ballots. Nothing here ever deletes or overwrites a
ballot: a resubmission is a new version, and every action goes to the audit log."""
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEntry, Ballot, Debate, DebateAdjudicator, Round, Speaker
from ..tab.results import ROLES, ScoreRules, parse_mark, validate_ballot
from .history import compute_result


class BallotRefused(Exception):
    def __init__(self, status, code, fields=None):
        super().__init__(code)
        self.status, self.code, self.fields = status, code, fields or {}


def score_rules(tournament, rnd) -> ScoreRules:
    s = tournament.setting
    return ScoreRules(min=float(s("speaker_score_min")), max=float(s("speaker_score_max")),
                      step=float(s("speaker_score_step")), allow_low_point_win=bool(s("allow_low_point_win")),
                      scores_required=rnd.kind == "prelim")


def team_speaker_ids(team_id) -> list[int]:
    return list(db.session.scalars(select(Speaker.id).where(Speaker.team_id == team_id).order_by(Speaker.position)))


def speaker_ids_of(*team_ids) -> dict:
    """{team_id: [speaker ids in speaking order]} for several teams in one query."""
    out = {tid: [] for tid in team_ids}
    for sid, tid in db.session.execute(select(Speaker.id, Speaker.team_id).where(Speaker.team_id.in_(team_ids))
                                       .order_by(Speaker.team_id, Speaker.position)):
        out[tid].append(sid)
    return out


def seat_of(adjudicator_id, debate_id):
    return db.session.scalar(select(DebateAdjudicator).where(DebateAdjudicator.debate_id == debate_id,
                                                             DebateAdjudicator.adjudicator_id == adjudicator_id))


def _clean(data, debate, rules):
    winner = data.get("winner")
    raw_scores = data.get("scores") or {}
    if not isinstance(raw_scores, dict):
        raise BallotRefused(422, "validation_failed", {"scores": ("required", {})})
    scores = {}
    for role in ROLES:
        if role in raw_scores and raw_scores[role] not in (None, ""):
            value = parse_mark(raw_scores[role])
            scores[role] = value if value is not None else raw_scores[role]
    speakers = data.get("speakers") or {}
    if not isinstance(speakers, dict):
        speakers = {}
    ids = speaker_ids_of(debate.gov_team_id, debate.opp_team_id)
    gov_ids, opp_ids = ids[debate.gov_team_id], ids[debate.opp_team_id]
    errors = validate_ballot(winner, scores, speakers, tuple(gov_ids), tuple(opp_ids), rules)
    noms = data.get("nominations") or {}
    clean_noms = {}
    if isinstance(noms, dict):
        for kind in ("orator", "analyst"):
            sid = noms.get(kind)
            if sid in (None, ""):
                continue
            try:
                sid = int(sid)
            except (TypeError, ValueError):
                errors[f"nominations.{kind}"] = ("not_in_team", {})
                continue
            if sid not in gov_ids + opp_ids:
                errors[f"nominations.{kind}"] = ("not_in_team", {})
            clean_noms[kind] = sid
    if errors:
        raise BallotRefused(422, "validation_failed", errors)
    if not speakers and scores:
        speakers = {"PM": gov_ids[0], "MG": gov_ids[1], "LO": opp_ids[0], "MO": opp_ids[1]}
    speakers = {k: int(v) for k, v in speakers.items() if k in ROLES}
    return winner, {k: float(v) for k, v in scores.items()}, speakers, clean_noms


def audit(tournament_id, action, obj, user=None, adjudicator_id=None, **details):
    db.session.add(AuditEntry(tournament_id=tournament_id, user_id=user.id if user else None,
                              adjudicator_id=adjudicator_id, action=action, object_type=type(obj).__name__.lower(),
                              object_id=obj.id, details=details))


def submit_ballot(adj, data: dict, entered_by=None):
    """Store one ballot. Returns (ballot, created). The same client_id again returns the stored
    ballot and stores nothing; a new client_id from the same adjudicator is the next version."""
    client_id = str(data.get("client_id") or "").strip()
    if not client_id or len(client_id) > 64:
        raise BallotRefused(422, "validation_failed", {"client_id": ("required", {})})
    existing = db.session.scalar(select(Ballot).where(Ballot.client_id == client_id))
    if existing is not None:
        return _same_submitter(existing, adj), False
    try:
        debate_id = int(data.get("debate_id"))
    except (TypeError, ValueError):
        raise BallotRefused(422, "validation_failed", {"debate_id": ("required", {})})
    # The debate with its round and tournament in one query (a ballot is on every phone at once).
    debate = db.session.get(Debate, debate_id, options=[joinedload(Debate.round).joinedload(Round.tournament)])
    if debate is None or seat_of(adj.id, debate.id) is None:
        raise BallotRefused(403, "not_on_panel")
    rnd = debate.round
    winner, scores, speakers, noms = _clean(data, debate, score_rules(rnd.tournament, rnd))
    for _attempt in range(5):
        version = (db.session.scalar(select(func.max(Ballot.version)).where(
            Ballot.debate_id == debate.id, Ballot.adjudicator_id == adj.id)) or 0) + 1
        # debate=debate keeps the debate (and its round) loaded for the caller: no lazy reload.
        ballot = Ballot(debate_id=debate.id, debate=debate, adjudicator_id=adj.id, client_id=client_id,
                        version=version,
                        winner=winner, scores=scores, speakers=speakers, nominations=noms,
                        entered_by_id=entered_by.id if entered_by else None)
        try:
            with db.session.begin_nested():
                db.session.add(ballot)
                db.session.flush()
        except IntegrityError:
            # A parallel request stored this client_id (then return it) or took this version (then retry).
            existing = db.session.scalar(select(Ballot).where(Ballot.client_id == client_id))
            if existing is not None:
                return _same_submitter(existing, adj), False
            continue
        _supersede_unconfirmed(ballot)
        audit(rnd.tournament_id, "ballot_submitted" if entered_by is None else "ballot_entered_for_adjudicator",
              ballot, user=entered_by, adjudicator_id=adj.id, version=version, winner=winner, scores=scores)
        return ballot, True
    raise BallotRefused(409, "busy")


def _same_submitter(ballot, adj):
    if ballot.adjudicator_id != adj.id:
        raise BallotRefused(409, "client_id_used")
    return ballot


def _supersede_unconfirmed(ballot):
    if ballot.version <= 1:
        return  # nothing older
    # One UPDATE rather than loading the older versions; "fetch" keeps loaded objects in step.
    db.session.execute(update(Ballot).where(
        Ballot.debate_id == ballot.debate_id, Ballot.adjudicator_id == ballot.adjudicator_id,
        Ballot.version < ballot.version, Ballot.status == "submitted").values(status="superseded")
        .execution_options(synchronize_session="fetch"))


def confirm_ballot(ballot, user):
    if ballot.status == "superseded":
        raise BallotRefused(409, "superseded")
    if ballot.entered_by_id is not None and ballot.entered_by_id == user.id:
        # Double-checking: whoever typed a ballot in for an adjudicator cannot also confirm it.
        raise BallotRefused(403, "own_entry")
    if ballot.status != "confirmed":
        for b in db.session.scalars(select(Ballot).where(
                Ballot.debate_id == ballot.debate_id, Ballot.adjudicator_id == ballot.adjudicator_id,
                Ballot.id != ballot.id, Ballot.status == "confirmed")):
            b.status = "superseded"
        ballot.status = "confirmed"
        ballot.confirmed_by_id = user.id
        ballot.confirmed_at = datetime.now(timezone.utc)
        audit(ballot.debate.round.tournament_id, "ballot_confirmed", ballot, user=user,
              adjudicator_id=ballot.adjudicator_id, version=ballot.version)
        db.session.flush()
        refresh_debate(ballot.debate)
    return ballot


def latest_ballots(debate_ids) -> dict:
    """{debate_id: {adjudicator_id: newest non-superseded ballot}}"""
    out = {}
    if not debate_ids:
        return out
    for b in db.session.scalars(select(Ballot).where(Ballot.debate_id.in_(list(debate_ids)),
                                                     Ballot.status != "superseded").order_by(Ballot.version)):
        out.setdefault(b.debate_id, {})[b.adjudicator_id] = b
    return out


def debate_status(panel_ids, latest: dict) -> str:
    if not latest:
        return "none"
    if any(a not in latest for a in panel_ids):
        return "partial"
    if all(latest[a].status == "confirmed" for a in panel_ids):
        return "confirmed"
    return "complete"


def refresh_debate(debate):
    """Set the debate's confirmed outcome once every panellist's newest ballot is confirmed."""
    panel_ids = [p.adjudicator_id for p in debate.panel]
    latest = latest_ballots([debate.id]).get(debate.id, {})
    if debate_status(panel_ids, latest) != "confirmed":
        return
    confirmed = list(db.session.scalars(select(Ballot).where(Ballot.debate_id == debate.id,
                                                             Ballot.status == "confirmed")))
    chairs = {debate.id: next((p.adjudicator_id for p in debate.panel if p.role == "chair"), None)}
    speakers = {debate.gov_team_id: team_speaker_ids(debate.gov_team_id),
                debate.opp_team_id: team_speaker_ids(debate.opp_team_id)}
    res = compute_result(debate, confirmed, chairs, speakers)
    if res.winner is None:
        return
    if debate.winner != res.winner or debate.confirmed_at is None:
        debate.winner = res.winner
        debate.confirmed_at = debate.confirmed_at or datetime.now(timezone.utc)
        audit(debate.round.tournament_id, "result_confirmed", debate, winner=res.winner, votes=res.votes)


def round_is_confirmed(rnd: Round) -> bool:
    return all(d.confirmed_at is not None for d in rnd.debates)
