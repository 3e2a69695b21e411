"""Receiving, versioning and confirming ballots. Nothing here ever deletes or overwrites a
ballot: a resubmission is a new version, and every action goes to the audit log."""
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import JSON, Integer, String, and_, bindparam, insert, select, text, update

from ..core.extensions import db
from ..live.cache import NOT_PUBLIC
from ..models import (
    Adjudicator,
    AuditEntry,
    Ballot,
    Debate,
    DebateAdjudicator,
    Round,
    RoundLeague,
    Speaker,
    Team,
    Tournament,
    TournamentMember,
    User,
)
from ..settings import get_setting
from ..tab.results import ROLES, ScoreRules, parse_mark, validate_ballot
from .audit import audit
from .errors import Refused
from .history import compute_result


class UnknownKey(Exception):
    """No adjudicator has this private key."""


def score_rules(tournament, rnd) -> ScoreRules:
    return _rules(tournament, rnd.kind)


def _rules(tournament, round_kind) -> ScoreRules:
    """tournament: anything with .settings and .stage (a Tournament or a _Seat)."""
    def s(key):
        return get_setting(tournament, key)
    return ScoreRules(min=float(s("speaker_score_min")), max=float(s("speaker_score_max")),
                      step=float(s("speaker_score_step")), allow_low_point_win=bool(s("allow_low_point_win")),
                      scores_required=round_kind == "prelim")


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


def _substitutes(gov_team_id, opp_team_id, named, known) -> tuple[dict, set]:
    """The reserves who may replace a speaker of each side (the registered reserves of the same
    school's teams in the same league), and which of the `named` speakers not in `known` are of
    another school. Read only when a ballot names someone outside both teams."""
    unknown = {v for v in named if isinstance(v, int) and 0 < v < 2**31 and v not in known}
    subs = {"gov": [], "opp": []}
    if not unknown:
        return subs, set()
    teams = {t.id: t for t in db.session.execute(select(Team.id, Team.school_id, Team.league_id).where(
        Team.id.in_([gov_team_id, opp_team_id])))}
    other = set()
    for sid, school_id, league_id, reserve in db.session.execute(
            select(Speaker.id, Team.school_id, Team.league_id, Speaker.reserve).join(Team)
            .where(Speaker.id.in_(unknown))):
        placed = False
        for side, tid in (("gov", gov_team_id), ("opp", opp_team_id)):
            t = teams.get(tid)
            if reserve and t is not None and t.school_id is not None and t.school_id == school_id \
                    and t.league_id == league_id:
                subs[side].append(sid)
                placed = True
        if not placed:
            other.add(sid)
    return subs, other


def _clean(data, debate, rules, ids=None, reserves=None, allow_iron_person=None):
    """ids: {team_id: [speaker ids]} when the caller has them already (else one query);
    reserves: which of those ids are registered reserves (else one query)."""
    winner = data.get("winner")
    raw_scores = data.get("scores") or {}
    if not isinstance(raw_scores, dict):
        raise Refused(422, "validation_failed", fields={"scores": ("required", {})})
    scores = {}
    for role in ROLES:
        if role in raw_scores and raw_scores[role] not in (None, ""):
            value = parse_mark(raw_scores[role])
            scores[role] = value if value is not None else raw_scores[role]
    speakers = data.get("speakers") or {}
    if not isinstance(speakers, dict):
        speakers = {}
    if ids is None:
        ids = speaker_ids_of(debate.gov_team_id, debate.opp_team_id)
    if reserves is None:
        reserves = set(db.session.scalars(select(Speaker.id).where(
            Speaker.team_id.in_([debate.gov_team_id, debate.opp_team_id]), Speaker.reserve.is_(True))))
    if allow_iron_person is None:
        allow_iron_person = bool(get_setting(debate.round.tournament, "allow_iron_person"))
    all_gov, all_opp = ids[debate.gov_team_id], ids[debate.opp_team_id]
    gov_ids = [i for i in all_gov if i not in reserves]
    opp_ids = [i for i in all_opp if i not in reserves]
    named = [_int_or_none(v) for v in speakers.values()]
    subs, other = _substitutes(debate.gov_team_id, debate.opp_team_id, named, set(all_gov) | set(all_opp))
    subs["gov"] += [i for i in all_gov if i in reserves]
    subs["opp"] += [i for i in all_opp if i in reserves]
    errors = validate_ballot(winner, scores, speakers, tuple(gov_ids), tuple(opp_ids), rules,
                             allow_iron_person=allow_iron_person, substitutes=subs, other_school=other)
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
            if sid not in gov_ids + opp_ids and sid not in {_int_or_none(v) for v in speakers.values()}:
                errors[f"nominations.{kind}"] = ("not_in_team", {})
            clean_noms[kind] = sid
    if errors:
        raise Refused(422, "validation_failed", fields=errors)
    if not speakers and scores:
        speakers = {"PM": gov_ids[0], "MG": gov_ids[1], "LO": opp_ids[0], "MO": opp_ids[1]}
    speakers = {k: int(v) for k, v in speakers.items() if k in ROLES}
    return winner, {k: float(v) for k, v in scores.items()}, speakers, clean_noms


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ----- storing a submission -----
#
# A ballot arrives from every phone of a round within minutes, so the path is kept short: one
# query reads everything the checks need (the adjudicator, their seat in the debate, the debate,
# its round and tournament settings, both teams' speakers), then one INSERT ... ON CONFLICT DO
# NOTHING stores the ballot with its version computed in the same statement, an UPDATE marks
# older unconfirmed versions superseded (only from version 2), and one INSERT writes the audit
# entry; on PostgreSQL those three are one statement. The caller commits. Core statements,
# compiled once: no ORM unit of work, no lazy loads (the path took 11 statements and ~4.7 ms of
# Python per ballot before; now 2 statements on PostgreSQL, see docs/benchmarks.md "## Ballots").
# The guarantees are the database's: client_id is unique (a retry stores nothing and gets the
# stored ballot back), (debate, adjudicator, version) is unique (two versions sent at the same
# moment cannot share a number; the loser recomputes), and everything commits together.


@dataclass
class _Seat:
    """What the checks need, read in one query."""
    adjudicator_id: int
    private_key: str
    debate_id: int | None      # None: the adjudicator has no seat in that debate
    gov_team_id: int | None
    opp_team_id: int | None
    round_id: int | None
    round_kind: str | None
    tournament_id: int | None
    settings: dict | None
    stage: str | None
    speakers: dict             # {team_id: [speaker ids in speaking order]}
    draw_released: bool | None = None
    confirmed_at: datetime | None = None  # the debate's result is confirmed: the ballot window is closed
    reserves: set = None       # the registered reserves among those speakers
    forfeit: str | None = None  # the debate was forfeited (no ballot is taken)


@dataclass
class StoredBallot:
    """A stored ballot as plain data (what the API answers and the live event need)."""
    id: int
    debate_id: int
    adjudicator_id: int
    client_id: str
    version: int
    winner: str
    scores: dict
    speakers: dict
    nominations: dict
    status: str
    created_at: datetime | None
    tournament_id: int | None = None
    round_id: int | None = None


_A, _S, _D, _R, _T, _P = (m.__table__ for m in (Adjudicator, DebateAdjudicator, Debate, Round, Tournament, Speaker))
_B, _L, _RL = Ballot.__table__, AuditEntry.__table__, RoundLeague.__table__
# The debate's own league's release (draws are released per league) opens the ballot window.
_SEAT_COLUMNS = (_A.c.id, _A.c.private_key, _D.c.id, _D.c.gov_team_id, _D.c.opp_team_id, _R.c.id, _R.c.kind,
                 _R.c.tournament_id, _T.c.settings, _T.c.stage, _RL.c.draw_released, _D.c.confirmed_at, _P.c.id,
                 _P.c.team_id, _P.c.reserve, _D.c.forfeit)


def _seat_query(by_key: bool):
    joined = (_A.outerjoin(_S, and_(_S.c.adjudicator_id == _A.c.id, _S.c.debate_id == bindparam("did", type_=Integer)))
              .outerjoin(_D, _D.c.id == _S.c.debate_id)
              .outerjoin(_R, _R.c.id == _D.c.round_id)
              .outerjoin(_RL, and_(_RL.c.round_id == _D.c.round_id, _RL.c.league_id == _D.c.league_id))
              .outerjoin(_T, _T.c.id == _R.c.tournament_id)
              .outerjoin(_P, _P.c.team_id.in_([_D.c.gov_team_id, _D.c.opp_team_id])))
    who = _A.c.private_key == bindparam("key", type_=String) if by_key else _A.c.id == bindparam("aid", type_=Integer)
    # FOR UPDATE OF the adjudicator's row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes
    # writers): two submissions by one adjudicator at the same moment take turns, so the second
    # counts its version after the first is committed instead of losing the race.
    return (select(*_SEAT_COLUMNS).select_from(joined).where(who).order_by(_P.c.team_id, _P.c.position)
            .with_for_update(of=_A))


_SEAT_BY_KEY, _SEAT_BY_ID = _seat_query(True), _seat_query(False)


def _read_seat(debate_id, key=None, adjudicator_id=None) -> _Seat | None:
    if key is not None:
        rows = db.session.execute(_SEAT_BY_KEY, {"key": key, "did": debate_id}).all()
    else:
        rows = db.session.execute(_SEAT_BY_ID, {"aid": adjudicator_id, "did": debate_id}).all()
    if not rows:
        return None
    aid, pkey, did, gov, opp, rid, kind, tid, settings, stage, released, confirmed_at = rows[0][:12]
    speakers = {gov: [], opp: []} if did is not None else {}
    reserves = set()
    for row in rows:
        if row[12] is not None:
            speakers[row[13]].append(row[12])
            if row[14]:
                reserves.add(row[12])
    return _Seat(aid, pkey, did, gov, opp, rid, kind, tid, settings, stage, speakers, released, confirmed_at,
                 reserves=reserves, forfeit=rows[0][15])


# INSERT ... ON CONFLICT DO NOTHING RETURNING: no row back means the client_id (or, for a
# simultaneous resubmission, the version number) is taken; no savepoint is needed. The version is
# counted in the same statement. Written as text because SQLAlchemy does not cache the compiled
# form of its dialect-specific INSERT ... ON CONFLICT (it was compiled anew for every ballot);
# the same SQL runs on PostgreSQL and on SQLite (>= 3.35). Bound values keep the columns' types.
_INSERT = text(
    "INSERT INTO ballots (debate_id, adjudicator_id, client_id, version, winner, scores, speakers, nominations,"
    " status, entered_by_id, created_at) VALUES (:debate_id, :adjudicator_id, :client_id,"
    " (SELECT coalesce(max(prev.version), 0) + 1 FROM ballots AS prev"
    "  WHERE prev.debate_id = :debate_id AND prev.adjudicator_id = :adjudicator_id),"
    " :winner, :scores, :speakers, :nominations, :status, :entered_by_id, :created_at)"
    " ON CONFLICT DO NOTHING RETURNING id, version"
).bindparams(*(bindparam(c, type_=_B.c[c].type) for c in (
    "debate_id", "adjudicator_id", "client_id", "winner", "scores", "speakers", "nominations", "status",
    "entered_by_id", "created_at"))).columns(id=Integer, version=Integer).execution_options(**NOT_PUBLIC)

# PostgreSQL: the ballot, the superseding of older unconfirmed versions and the audit entry in
# one statement (data-modifying CTEs), so a ballot costs two statements in all. When the INSERT
# stores nothing, neither do the other two (they read its RETURNING rows).
_INSERT_PG = text(
    "WITH new AS (INSERT INTO ballots (debate_id, adjudicator_id, client_id, version, winner, scores, speakers,"
    "  nominations, status, entered_by_id, created_at) VALUES (:debate_id, :adjudicator_id, :client_id,"
    "  (SELECT coalesce(max(prev.version), 0) + 1 FROM ballots AS prev"
    "   WHERE prev.debate_id = :debate_id AND prev.adjudicator_id = :adjudicator_id),"
    "  :winner, :scores, :speakers, :nominations, :status, :entered_by_id, :created_at)"
    "  ON CONFLICT DO NOTHING RETURNING id, version),"
    " older AS (UPDATE ballots SET status = 'superseded' FROM new"
    "  WHERE ballots.debate_id = :debate_id AND ballots.adjudicator_id = :adjudicator_id"
    "  AND ballots.version < new.version AND ballots.status = 'submitted'),"
    " logged AS (INSERT INTO audit_log (tournament_id, user_id, adjudicator_id, action, object_type, object_id,"
    "  details, at) SELECT CAST(:tournament_id AS INTEGER), CAST(:entered_by_id AS INTEGER), :adjudicator_id,"
    "  CAST(:action AS VARCHAR), 'ballot', new.id, json_build_object('version', new.version,"
    "  'winner', CAST(:winner AS VARCHAR), 'scores', CAST(:scores AS JSON)), :created_at FROM new)"
    " SELECT id, version FROM new"
).bindparams(*(bindparam(c, type_=_B.c[c].type) for c in (
    "debate_id", "adjudicator_id", "client_id", "winner", "scores", "speakers", "nominations", "status",
    "entered_by_id", "created_at")), bindparam("tournament_id", type_=Integer), bindparam("action", type_=String)
).columns(id=Integer, version=Integer).execution_options(**NOT_PUBLIC)

_SUPERSEDE = (update(_B).where(_B.c.debate_id == bindparam("d"), _B.c.adjudicator_id == bindparam("a"),
                               _B.c.version < bindparam("v"), _B.c.status == "submitted")
              .values(status="superseded").execution_options(**NOT_PUBLIC))
_AUDIT = insert(_L).values(tournament_id=bindparam("tournament_id"), user_id=bindparam("user_id"),
                           adjudicator_id=bindparam("adjudicator_id"), action=bindparam("action"),
                           object_type="ballot", object_id=bindparam("object_id"),
                           details=bindparam("details", type_=JSON), at=bindparam("at", type_=_L.c.at.type))
_BY_CLIENT_ID = select(*(_B.c[c] for c in (
    "id", "debate_id", "adjudicator_id", "client_id", "version", "winner", "scores", "speakers", "nominations",
    "status", "created_at"))).where(_B.c.client_id == bindparam("cid", type_=String))


def _stored_by_client_id(client_id) -> StoredBallot | None:
    row = db.session.execute(_BY_CLIENT_ID, {"cid": client_id}).first()
    return StoredBallot(*row) if row is not None else None


def _debate_id(data):
    try:
        return int(data.get("debate_id"))
    except (TypeError, ValueError):
        return None


def submit_with_key(key: str, data: dict, entered_by=None) -> tuple[StoredBallot, bool]:
    """An adjudicator's own submission (API): the key is checked in the same query that reads
    the seat. Raises UnknownKey, or Refused. The caller commits. entered_by: the account the
    request came from, if any (a signed-in browser or an API token): it used a key it could read,
    so it counts as having entered the ballot and cannot confirm it (confirm_ballot)."""
    if not key or len(key) > 64:
        raise UnknownKey()
    seat = _read_seat(_debate_id(data), key=key)
    # Found by an indexed unique column; compared again in constant time.
    if seat is None or not hmac.compare_digest(seat.private_key, key):
        raise UnknownKey()
    return _submit(seat, data, entered_by)


def submit_as(adjudicator_id: int, data: dict, entered_by=None, correction=False) -> tuple[StoredBallot, bool]:
    """A submission for a known adjudicator (the phone form; staff typing in a paper ballot).
    correction=True: a director's correction (services.corrections), the only way past the
    ballot window."""
    seat = _read_seat(_debate_id(data), adjudicator_id=adjudicator_id)
    if seat is None:
        raise Refused(403, "not_on_panel")
    return _submit(seat, data, entered_by, correction)


def submit_ballot(adj, data: dict, entered_by=None, correction=False):
    """Store one ballot. Returns (ballot, created). The same client_id again returns the stored
    ballot and stores nothing; a new client_id from the same adjudicator is the next version."""
    stored, created = submit_as(adj.id, data, entered_by, correction)
    ballot = db.session.get(Ballot, stored.id)
    if created:
        # Older versions already loaded in this session: the UPDATE changed their status.
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Ballot) and obj.id != stored.id and obj.debate_id == stored.debate_id \
                    and obj.adjudicator_id == stored.adjudicator_id:
                db.session.expire(obj, ["status"])
    return ballot, created


def _late_payload(data: dict, client_id: str) -> dict:
    """What a ballot that arrived after confirmation carried, for the audit log (bounded)."""
    out = {"client_id": client_id}
    for k in ("winner", "scores", "speakers", "nominations"):
        v = data.get(k)
        if isinstance(v, dict):
            out[k] = {str(kk)[:8]: (vv if isinstance(vv, (int, float)) else str(vv)[:16])
                      for kk, vv in list(v.items())[:8]}
        elif v is not None:
            out[k] = str(v)[:16]
    return out


def _submit(seat: _Seat, data: dict, entered_by, correction=False) -> tuple[StoredBallot, bool]:
    client_id = str(data.get("client_id") or "").strip()
    if not client_id or len(client_id) > 64:
        raise Refused(422, "validation_failed", fields={"client_id": ("required", {})})
    try:
        if _debate_id(data) is None:
            raise Refused(422, "validation_failed", fields={"debate_id": ("required", {})})
        if seat.debate_id is None:
            raise Refused(403, "not_on_panel")
        if seat.forfeit:
            raise Refused(409, "debate_forfeited")
        # The ballot window (read in the same query as the seat): open from the draw's release
        # until the debate's result is confirmed; after that only a director's correction.
        if not correction and not seat.draw_released:
            raise Refused(409, "draw_not_released")
        if not correction and seat.confirmed_at is not None:
            if _stored_by_client_id(client_id) is None:
                # Kept, never counted: the director sees it as "arrived after confirmation".
                # The caller commits this entry even though it answers with the refusal.
                db.session.add(AuditEntry(
                    tournament_id=seat.tournament_id, user_id=entered_by.id if entered_by else None,
                    adjudicator_id=seat.adjudicator_id, action="ballot_after_close", object_type="debate",
                    object_id=seat.debate_id, details=_late_payload(data, client_id)))
            raise Refused(409, "ballot_closed", {"debate_id": seat.debate_id})
        winner, scores, speakers, noms = _clean(data, seat, _rules(seat, seat.round_kind), seat.speakers,
                                                seat.reserves, bool(get_setting(seat, "allow_iron_person")))
    except Refused:
        # A retry of a stored submission is answered with the stored ballot, whatever it says now.
        existing = _stored_by_client_id(client_id)
        if existing is None:
            raise
        return _same_submitter(existing, seat.adjudicator_id), False
    entered_by_id = entered_by.id if entered_by else None
    now = datetime.now(timezone.utc)
    params = {"debate_id": seat.debate_id, "adjudicator_id": seat.adjudicator_id, "client_id": client_id,
              "winner": winner, "scores": scores, "speakers": speakers, "nominations": noms, "status": "submitted",
              "entered_by_id": entered_by_id, "created_at": now}
    action = "ballot_submitted" if entered_by is None else "ballot_entered_for_adjudicator"
    one_statement = db.session.get_bind().dialect.name == "postgresql"
    if one_statement:
        params.update(tournament_id=seat.tournament_id, action=action)
    for _attempt in range(5):
        row = db.session.execute(_INSERT_PG if one_statement else _INSERT, params).first()
        if row is None:
            # The client_id is stored (a retry, perhaps still in flight: PostgreSQL waited for it),
            # or a simultaneous resubmission took this version number: then count again.
            existing = _stored_by_client_id(client_id)
            if existing is not None:
                return _same_submitter(existing, seat.adjudicator_id), False
            continue
        bid, version = row
        if not one_statement:
            if version > 1:
                db.session.execute(_SUPERSEDE, {"d": seat.debate_id, "a": seat.adjudicator_id, "v": version})
            db.session.execute(_AUDIT, {
                "tournament_id": seat.tournament_id, "user_id": entered_by_id, "adjudicator_id": seat.adjudicator_id,
                "action": action, "object_id": bid,
                "details": {"version": version, "winner": winner, "scores": scores}, "at": now})
        return StoredBallot(bid, seat.debate_id, seat.adjudicator_id, client_id, version, winner, scores, speakers,
                            noms, "submitted", now, seat.tournament_id, seat.round_id), True
    raise Refused(503, "busy")


def _same_submitter(ballot, adj_or_id):
    adj_id = adj_or_id if isinstance(adj_or_id, int) else adj_or_id.id
    if ballot.adjudicator_id != adj_id:
        raise Refused(409, "client_id_used")
    return ballot


KEEP_ON_REFUSAL = ("ballot_closed",)  # refusals whose audit entry the caller commits


def may_confirm_own(tournament) -> bool:
    return bool(get_setting(tournament, "confirm_own_entries"))


def confirm_ballot(ballot, user):
    if ballot.status == "superseded":
        raise Refused(409, "superseded")
    if ballot.debate.forfeit:
        raise Refused(409, "debate_forfeited")
    own = ballot.entered_by_id is not None and ballot.entered_by_id == user.id
    if own and not may_confirm_own(ballot.debate.round.tournament):
        # Double-checking: whoever typed a ballot in for an adjudicator cannot also confirm it
        # (unless the tournament's confirm_own_entries says one person may).
        raise Refused(403, "own_entry")
    if ballot.status != "confirmed":
        for b in db.session.scalars(select(Ballot).where(
                Ballot.debate_id == ballot.debate_id, Ballot.adjudicator_id == ballot.adjudicator_id,
                Ballot.id != ballot.id, Ballot.status == "confirmed")):
            b.status = "superseded"
        ballot.status = "confirmed"
        ballot.confirmed_by_id = user.id
        ballot.confirmed_at = datetime.now(timezone.utc)
        details = {"self_confirmed": True} if own else {}
        audit(ballot.debate.round.tournament_id, "ballot_confirmed", ballot, user=user,
              adjudicator_id=ballot.adjudicator_id, version=ballot.version, **details)
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
    if debate.forfeit:
        return  # decided by the forfeit
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


def debate_result(debate, private: bool) -> dict:
    """A debate's result as the API tells it (GET /debates/{did}/result, corrections)."""
    panel_ids = [p.adjudicator_id for p in debate.panel]
    latest = latest_ballots([debate.id]).get(debate.id, {})
    status = "confirmed" if debate.forfeit else debate_status(panel_ids, latest)
    votes = {"gov": 0, "opp": 0}
    for b in latest.values():
        if b.status == "confirmed":
            votes[b.winner] += 1
    out = {"debate_id": debate.id, "status": status, "winner": debate.winner if debate.confirmed_at else None,
           "votes": votes, "forfeit": debate.forfeit, "ballots": []}
    if private:
        out["ballots"] = [{"id": b.id, "adjudicator_id": b.adjudicator_id, "winner": b.winner, "scores": b.scores,
                           "speakers": b.speakers, "version": b.version, "status": b.status}
                          for b in latest.values()]
    return out


def late_arrivals(debate_ids) -> dict:
    """{debate_id: [audit entries of ballots that arrived after the result was confirmed]}"""
    out = {}
    if not debate_ids:
        return out
    for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "ballot_after_close", AuditEntry.object_type == "debate",
            AuditEntry.object_id.in_(list(debate_ids))).order_by(AuditEntry.id)):
        out.setdefault(e.object_id, []).append(e)
    return out


def confirm_round(rnd: Round, user, league_id=None) -> dict:
    """Confirm every debate of a round (or of one league) whose ballots are complete and agree:
    every voting panellist's latest ballot is in and all name the same winner. Returns
    {"confirmed": [debate ids], "not_confirmed": [{"debate_id", "reason"}]} where reason is
    "missing_ballots", "split_panel", "own_entry" (typed in by this user, who may not confirm
    it) or "arrived_after" (already confirmed, and a ballot arrived after that)."""
    debates = [d for d in sorted(rnd.debates, key=lambda d: (d.league_id, d.id))
               if league_id is None or d.league_id == league_id]
    ids = [d.id for d in debates]
    latest = latest_ballots(ids)
    late = late_arrivals(ids)
    own_ok = may_confirm_own(rnd.tournament)
    confirmed, skipped = [], []
    for d in debates:
        mine = latest.get(d.id, {})
        panel_ids = [p.adjudicator_id for p in d.panel]
        if d.confirmed_at is not None and debate_status(panel_ids, mine) == "confirmed":
            if d.id in late:
                skipped.append({"debate_id": d.id, "reason": "arrived_after"})
            continue
        if not panel_ids or any(a not in mine for a in panel_ids):
            skipped.append({"debate_id": d.id, "reason": "missing_ballots"})
            continue
        if len({mine[a].winner for a in panel_ids}) > 1:
            skipped.append({"debate_id": d.id, "reason": "split_panel"})
            continue
        pending = [mine[a] for a in panel_ids if mine[a].status == "submitted"]
        if not own_ok and any(b.entered_by_id is not None and b.entered_by_id == user.id for b in pending):
            skipped.append({"debate_id": d.id, "reason": "own_entry"})
            continue
        for b in pending:
            confirm_ballot(b, user)
        confirmed.append(d.id)
    audit(rnd.tournament_id, "round_confirmed", rnd, user=user, league_id=league_id, confirmed=confirmed,
          not_confirmed=skipped)
    return {"confirmed": confirmed, "not_confirmed": skipped}


def confirmers(tournament) -> list:
    """The accounts that may confirm ballots of this tournament (its directors and tab staff)."""
    return list(db.session.scalars(select(User).join(TournamentMember, TournamentMember.user_id == User.id).where(
        TournamentMember.tournament_id == tournament.id, TournamentMember.role.in_(("director", "staff")))
        .order_by(User.username)))


FORFEIT_SIDES = ("gov", "opp")


def record_forfeit(debate, absent, user=None):
    """The team on side `absent` did not appear: the other team wins, the result is confirmed
    at once and marked as a forfeit; no marks are recorded. A debate with confirmed ballots is
    refused (correct its ballots instead); the same forfeit again changes nothing."""
    if absent not in FORFEIT_SIDES:
        raise Refused(422, "validation_failed", fields={"absent": ("choice", {})})
    if debate.forfeit == absent:
        return debate
    if debate.forfeit is not None:
        raise Refused(409, "already_forfeited")
    confirmed = db.session.scalar(select(Ballot.id).where(Ballot.debate_id == debate.id,
                                                          Ballot.status == "confirmed").limit(1))
    if confirmed is not None or debate.confirmed_at is not None:
        raise Refused(409, "forfeit_after_ballots")
    debate.forfeit = absent
    debate.winner = "opp" if absent == "gov" else "gov"
    debate.confirmed_at = datetime.now(timezone.utc)
    db.session.flush()
    audit(debate.round.tournament_id, "forfeit_recorded", debate, user=user, absent=absent, winner=debate.winner)
    return debate
