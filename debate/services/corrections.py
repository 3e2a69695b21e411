"""A director's correction of a result, and what it touches.

A correction is a new version of one adjudicator's ballot (every earlier version is kept),
audited with its reason, and confirmed as the tournament's confirmation setting says: by a
second person, or by the director alone when `confirm_own_entries` is on. Before anything is
stored, `affected` computes what the corrected result would change: the later rounds of the
league already drawn on the old result, the standings positions that move, whether the stored
break would come out differently, and the documents already issued that would become wrong.
It is one function for the results page, the API, its `?dry_run=1` and an upheld appeal.
"""
import uuid
from datetime import datetime, timezone

from sqlalchemy import exists, select, update

from ..core.extensions import db
from ..models import Adjudicator, Award, Ballot, Debate, DebateAdjudicator, Round
from ..tab import bracket as bracket_mod
from . import awards as awards_svc
from . import ballots as ballots_svc
from . import standings as standings_svc
from .audit import audit
from .errors import Refused
from .history import compute_result


def _later_rounds(debate) -> list[int]:
    """Rounds after this one (by seq) with a draw in the debate's league: drawn on the old result."""
    rnd = debate.round
    return list(db.session.scalars(
        select(Round.id).where(Round.tournament_id == rnd.tournament_id, Round.seq > rnd.seq,
                               exists().where(Debate.round_id == Round.id, Debate.league_id == debate.league_id))
        .order_by(Round.seq)))


def _ranks(league) -> dict:
    return {row.team_id: row.rank for row, _team in standings_svc.team_tab(league)}


def _break_seeds(league, size):
    rows = [r for r, _t in standings_svc.team_tab(league)]
    try:
        result = bracket_mod.break_teams(rows, size)
    except bracket_mod.BracketError:
        return None
    return [tuple(s) for s in result.seeds] if result.clean else None


def _award_key(kind, league_id, speaker_id, coach_id, degree, place, team_id):
    return (kind, league_id, speaker_id, coach_id, degree, place, team_id)


def _planned_keys(t) -> set:
    out = set()
    for p in awards_svc.planned_awards(t):
        sp, coach, team = p.get("speaker"), p.get("coach"), p.get("team")
        out.add(_award_key(p["kind"], p["league"].id, sp.id if sp else None, coach.id if coach else None,
                           p.get("degree"), p.get("place"), team.id if team else None))
    return out


def _issued(t) -> list:
    return db.session.scalars(select(Award).where(Award.tournament_id == t.id, Award.revoked.is_(False))
                              .order_by(Award.id)).all()


def clear_forfeit(debate):
    """The debate as if no forfeit had been recorded: no winner and no confirmed result until its
    ballots give one (the ballot window is open again)."""
    debate.forfeit = None
    debate.winner = None
    debate.confirmed_at = None
    db.session.flush()


def _hypothetical_result(debate, adjudicator_id, winner, scores, speakers, noms):
    """Inside a savepoint: the corrected ballot stands confirmed in place of the adjudicator's
    confirmed version; the debate carries the result computed from that. A forfeited debate
    loses its forfeit first: it then has a result only once every panellist's ballot is in."""
    was_forfeit = debate.forfeit is not None
    if was_forfeit:
        clear_forfeit(debate)
    db.session.execute(update(Ballot).where(Ballot.debate_id == debate.id, Ballot.adjudicator_id == adjudicator_id,
                                            Ballot.status == "confirmed").values(status="superseded"))
    version = (db.session.scalar(select(Ballot.version).where(
        Ballot.debate_id == debate.id, Ballot.adjudicator_id == adjudicator_id)
        .order_by(Ballot.version.desc()).limit(1)) or 0) + 1
    db.session.add(Ballot(debate_id=debate.id, adjudicator_id=adjudicator_id, client_id=f"preview-{uuid.uuid4()}",
                          version=version, winner=winner, scores=scores, speakers=speakers, nominations=noms,
                          status="confirmed"))
    db.session.flush()
    confirmed = list(db.session.scalars(select(Ballot).where(Ballot.debate_id == debate.id,
                                                             Ballot.status == "confirmed")))
    chairs = {debate.id: next((p.adjudicator_id for p in debate.panel if p.role == "chair"), None)}
    res = compute_result(debate, confirmed, chairs, ballots_svc.speaker_ids_of(debate.gov_team_id,
                                                                               debate.opp_team_id))
    if was_forfeit:
        latest = ballots_svc.latest_ballots([debate.id]).get(debate.id, {})
        if res.winner is not None and ballots_svc.debate_status([p.adjudicator_id for p in debate.panel],
                                                                latest) == "confirmed":
            debate.winner, debate.confirmed_at = res.winner, datetime.now(timezone.utc)
    elif debate.confirmed_at is not None and res.winner is not None:
        debate.winner = res.winner
    db.session.flush()
    return debate.winner if debate.confirmed_at is not None else None


def _touches(debate, change) -> dict:
    """What `change()` (applied in a savepoint that is rolled back: nothing is stored; it
    returns the debate's winner afterwards, or None) would touch.
    {"rounds": [later round ids drawn on the old result], "break": bool,
     "standings": [{"team_id", "old", "new"}], "awards": [ids of issued documents that become wrong],
     "winner": {"old", "new"}}"""
    rnd, league, t = debate.round, debate.league, debate.round.tournament
    seeds = [(s.seed, s.team_id) for s in standings_svc.break_of(league)]
    issued = _issued(t)
    ranks_before = _ranks(league) if rnd.kind == "prelim" else {}
    planned_before = _planned_keys(t) if issued else set()
    old_winner = debate.winner if debate.confirmed_at is not None else None
    savepoint = db.session.begin_nested()
    try:
        new_winner = change()
        ranks_after = _ranks(league) if rnd.kind == "prelim" else {}
        break_after = _break_seeds(league, len(seeds)) if seeds and rnd.kind == "prelim" else seeds
        planned_after = _planned_keys(t) if issued else set()
    finally:
        savepoint.rollback()
    moved = [{"team_id": tid, "old": old, "new": ranks_after.get(tid)}
             for tid, old in sorted(ranks_before.items()) if ranks_after.get(tid) != old]
    wrong = []
    if planned_before != planned_after:
        for a in issued:
            key = _award_key(a.kind, a.league_id, a.speaker_id, a.coach_id, a.degree, a.place, a.team_id)
            if key in planned_before and key not in planned_after:
                wrong.append(a.id)
    return {"rounds": _later_rounds(debate), "break": bool(seeds) and break_after != seeds,
            "standings": moved, "awards": wrong, "winner": {"old": old_winner, "new": new_winner}}


def affected(debate, adjudicator_id, data) -> dict:
    """What correcting `adjudicator_id`'s ballot of `debate` to `data` would touch (see _touches)."""
    t = debate.round.tournament
    winner, scores, speakers, noms = ballots_svc._clean(data, debate, ballots_svc.score_rules(t, debate.round))
    return _touches(debate, lambda: _hypothetical_result(debate, adjudicator_id, winner, scores, speakers, noms))


def _flag_awards(ids):
    if ids:
        for a in db.session.scalars(select(Award).where(Award.id.in_(ids))):
            a.superseded = True


def _reason(value) -> str:
    return " ".join(str(value or "").split())[:1000]


def undo_forfeit(debate, user, reason, dry_run=False) -> dict:
    """A forfeit recorded by mistake (the team was there) is undone by a director, with a reason:
    the debate then has no result, and its ballots can be entered again (or the director enters
    the result). {"absent", "affected" (see _touches), "stored"}; dry_run stores nothing."""
    if debate.forfeit is None:
        raise Refused(409, "not_forfeited")
    reason = _reason(reason)
    if not reason:
        raise Refused(422, "validation_failed", fields={"reason": ("required", {})})
    absent = debate.forfeit
    touched = _touches(debate, lambda: clear_forfeit(debate))
    out = {"absent": absent, "affected": touched, "stored": False}
    if dry_run:
        return out
    clear_forfeit(debate)
    audit(debate.round.tournament_id, "forfeit_undone", debate, user=user, reason=reason, absent=absent,
          old_winner=touched["winner"]["old"], rounds=touched["rounds"], break_changes=touched["break"],
          awards=touched["awards"])
    _flag_awards(touched["awards"])
    db.session.flush()
    out["stored"] = True
    return out


def _ballot_dict(b) -> dict:
    return {"id": b.id, "debate_id": b.debate_id, "adjudicator_id": b.adjudicator_id, "status": b.status,
            "version": b.version, "winner": b.winner, "scores": b.scores, "speakers": b.speakers,
            "nominations": b.nominations, "entered_by_id": b.entered_by_id}


def _adjudicator_of(debate, adjudicator_id):
    try:
        aid = int(adjudicator_id)
    except (TypeError, ValueError):
        aid = None
    if aid is not None and not 0 < aid <= 2**31 - 1:  # no INTEGER id can be that (PostgreSQL would fail)
        aid = None
    seat = db.session.scalar(select(DebateAdjudicator).where(
        DebateAdjudicator.debate_id == debate.id, DebateAdjudicator.adjudicator_id == aid)) if aid else None
    if seat is None:
        raise Refused(422, "validation_failed", fields={"adjudicator_id": ("not_on_panel", {})})
    return db.session.get(Adjudicator, aid)


def correct(debate, user, data: dict, dry_run=False, source=None) -> dict:
    """Correct one adjudicator's ballot of `debate`: {"ballot", "result", "affected", "stored",
    "self_confirmed"}. dry_run answers the same without storing (everything is done in a
    savepoint that is rolled back). source: what led to it (e.g. {"appeal_id": 4}), audited."""
    reason = _reason(data.get("reason"))
    errors = {}
    if not reason:
        errors["reason"] = ("required", {})
    adj = None
    try:
        adj = _adjudicator_of(debate, data.get("adjudicator_id"))
    except Refused as e:
        errors.update(e.fields)
    if errors:
        raise Refused(422, "validation_failed", fields=errors)
    touched = affected(debate, adj.id, data)
    t = debate.round.tournament
    self_confirm = ballots_svc.may_confirm_own(t)
    savepoint = db.session.begin_nested() if dry_run else None
    try:
        undone = debate.forfeit  # correcting a forfeited debate: the forfeit goes, the ballot counts
        if undone is not None:
            clear_forfeit(debate)
        body = {k: data.get(k) for k in ("winner", "scores", "speakers", "nominations")}
        body.update(debate_id=debate.id, client_id=str(data.get("client_id") or f"correction-{uuid.uuid4()}"))
        ballot, _created = ballots_svc.submit_ballot(adj, body, entered_by=user, correction=True)
        if self_confirm:
            ballots_svc.confirm_ballot(ballot, user)
        audit(t.id, "result_corrected", debate, user=user, adjudicator_id=adj.id, ballot_id=ballot.id,
              version=ballot.version, reason=reason, winner=ballot.winner, old_winner=touched["winner"]["old"],
              self_confirmed=self_confirm, rounds=touched["rounds"], break_changes=touched["break"],
              awards=touched["awards"], **({"forfeit_undone": undone} if undone else {}), **(source or {}))
        _flag_awards(touched["awards"])
        db.session.flush()
        out = {"ballot": _ballot_dict(ballot), "result": ballots_svc.debate_result(debate, True),
               "affected": touched, "stored": not dry_run, "self_confirmed": self_confirm,
               "forfeit_undone": undone}
    finally:
        if savepoint is not None:
            savepoint.rollback()
    if dry_run:
        out["ballot"]["id"] = None
    return out
