"""Motion statistics: per league and motion, how the debates on it ended.

Only rounds whose results are released and not silent count, so the statistics never tell
more than the public results do; a debate counts once its result is confirmed.
  debates      debates with a confirmed result
  gov_wins / opp_wins
  average_margin   the mean of |government points − opposition points| over the debates whose
                   ballots carry marks (None when none do; elimination ballots may have none)
  splits       debates the panel did not decide unanimously (the losing side had a vote)
"""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ..core.extensions import db
from ..models import Ballot, Debate, DebateAdjudicator, Motion, Round, Speaker, Team
from .history import compute_result


@dataclass
class MotionRow:
    round: Round
    motion: str | None
    debates: int = 0
    gov_wins: int = 0
    opp_wins: int = 0
    average_margin: float | None = None
    splits: int = 0


def released(rnd: Round, league_id: int) -> bool:
    """Whether spectators see this league's results of the round (released, not silent)."""
    return rnd.results_public(league_id)


def league_stats(league) -> list[MotionRow]:
    rounds = [r for r in db.session.scalars(select(Round).where(Round.tournament_id == league.tournament_id)
                                            .order_by(Round.seq)) if released(r, league.id)]
    if not rounds:
        return []
    round_ids = [r.id for r in rounds]
    debates = db.session.scalars(select(Debate).where(Debate.league_id == league.id, Debate.round_id.in_(round_ids),
                                                      Debate.confirmed_at.is_not(None))).all()
    motions = dict(db.session.execute(select(Motion.round_id, Motion.text).where(
        Motion.league_id == league.id, Motion.round_id.in_(round_ids))).all())
    ids = [d.id for d in debates]
    ballots = defaultdict(list)
    for b in db.session.scalars(select(Ballot).where(Ballot.debate_id.in_(ids), Ballot.status == "confirmed")):
        ballots[b.debate_id].append(b)
    chairs = dict(db.session.execute(select(DebateAdjudicator.debate_id, DebateAdjudicator.adjudicator_id).where(
        DebateAdjudicator.debate_id.in_(ids), DebateAdjudicator.role == "chair")).all())
    speaker_ids = defaultdict(list)
    for sid, tid in db.session.execute(select(Speaker.id, Speaker.team_id).join(Team)
                                       .where(Team.league_id == league.id).order_by(Speaker.team_id, Speaker.position)):
        speaker_ids[tid].append(sid)
    rows = {r.id: MotionRow(r, motions.get(r.id)) for r in rounds}
    margins = defaultdict(list)
    for d in debates:
        row = rows[d.round_id]
        res = compute_result(d, ballots[d.id], chairs, speaker_ids)
        winner = d.winner or res.winner
        row.debates += 1
        if winner == "gov":
            row.gov_wins += 1
        elif winner == "opp":
            row.opp_wins += 1
        if min(res.votes.get("gov", 0), res.votes.get("opp", 0)) > 0:
            row.splits += 1
        if res.margin is not None:
            margins[d.round_id].append(abs(res.margin))
    for rid, values in margins.items():
        rows[rid].average_margin = round(sum(values) / len(values), 2)
    return [rows[r.id] for r in rounds if rows[r.id].debates]
