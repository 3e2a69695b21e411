"""What has happened so far in a league, read in a fixed number of queries and turned into
the tab logic's inputs: team results, speaker results, side and opponent history.

Only confirmed ballots count. Each debate's outcome is recomputed from them with
tab.results.debate_result, so standings always agree with the ballots.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Ballot, Bye, Debate, DebateAdjudicator, Round, Speaker, Team
from ..tab.results import BallotInput, debate_result
from ..tab.standings import SpeakerResult, TeamResult


@dataclass
class LeagueHistory:
    team_ids: list
    speakers: list                       # (speaker_id, team_id)
    team_results: list = field(default_factory=list)
    speaker_results: list = field(default_factory=list)
    nominations: list = field(default_factory=list)   # (kind, speaker_id)
    gov_count: dict = field(default_factory=lambda: defaultdict(int))
    opp_count: dict = field(default_factory=lambda: defaultdict(int))
    opponents: dict = field(default_factory=lambda: defaultdict(set))
    pullups: dict = field(default_factory=lambda: defaultdict(int))
    byes: dict = field(default_factory=lambda: defaultdict(int))
    rounds_held: int = 0
    unconfirmed_debates: int = 0


def _ballot_inputs(ballots):
    return [BallotInput(adjudicator_id=b.adjudicator_id, winner=b.winner, scores=b.scores or {},
                        speakers={k: int(v) for k, v in (b.speakers or {}).items()}, nominations=b.nominations or {})
            for b in ballots]


def counting_ballots(ballots):
    """The confirmed ballots that count: one per adjudicator, the newest confirmed version."""
    best = {}
    for b in ballots:
        if b.status == "confirmed" and (b.adjudicator_id not in best or b.version > best[b.adjudicator_id].version):
            best[b.adjudicator_id] = b
    return list(best.values())


def compute_result(debate, ballots, chairs, speaker_ids):
    """tab.results.DebateResult for one debate from its confirmed ballots."""
    gov_ids, opp_ids = speaker_ids.get(debate.gov_team_id, []), speaker_ids.get(debate.opp_team_id, [])
    defaults = {"PM": gov_ids[0] if gov_ids else None, "MG": gov_ids[1] if len(gov_ids) > 1 else None,
                "LO": opp_ids[0] if opp_ids else None, "MO": opp_ids[1] if len(opp_ids) > 1 else None}
    return debate_result(_ballot_inputs(counting_ballots(ballots)), chairs.get(debate.id), default_speakers=defaults)


def league_history(league, before_seq: int | None = None, public: bool = False) -> LeagueHistory:
    """Preliminary rounds of one league (those before round seq `before_seq` if given).
    public=True leaves out rounds whose results are not released or are silent.

    Reads plain column rows (no ORM objects: a 2,000-team league has 16,000 ballots over four
    rounds) in at most seven queries, whatever the size of the league."""
    team_ids = list(db.session.scalars(select(Team.id).where(Team.league_id == league.id)))
    speakers = db.session.execute(select(Speaker.id, Speaker.team_id, Speaker.position)
                                  .join(Team).where(Team.league_id == league.id)
                                  .order_by(Speaker.team_id, Speaker.position)).all()
    speaker_ids = defaultdict(list)
    for s in speakers:
        speaker_ids[s.team_id].append(s.id)
    h = LeagueHistory(team_ids=team_ids, speakers=[(s.id, s.team_id) for s in speakers])

    rq = select(Round).where(Round.tournament_id == league.tournament_id, Round.kind == "prelim")
    if before_seq is not None:
        rq = rq.where(Round.seq < before_seq)
    rounds = {r.id: r for r in db.session.scalars(rq)}
    if public:
        rounds = {k: r for k, r in rounds.items() if r.results_released and not r.silent}
    if not rounds:
        return h
    in_league = select(Debate.id).where(Debate.league_id == league.id, Debate.round_id.in_(rounds))
    debates = db.session.execute(
        select(Debate.id, Debate.round_id, Debate.gov_team_id, Debate.opp_team_id, Debate.flags,
               Debate.confirmed_at).where(Debate.league_id == league.id, Debate.round_id.in_(rounds))
        .order_by(Debate.id)).all()
    h.rounds_held = len({d.round_id for d in debates})
    ballots = defaultdict(list)
    chairs = {}
    if debates:
        # Sub-selects rather than IN (<every debate id>): one statement whatever the league's size.
        for b in db.session.execute(
                select(Ballot.id, Ballot.debate_id, Ballot.adjudicator_id, Ballot.version, Ballot.status,
                       Ballot.winner, Ballot.scores, Ballot.speakers, Ballot.nominations)
                .where(Ballot.debate_id.in_(in_league), Ballot.status == "confirmed").order_by(Ballot.id)):
            ballots[b.debate_id].append(b)
        for da in db.session.execute(select(DebateAdjudicator.debate_id, DebateAdjudicator.adjudicator_id)
                                     .where(DebateAdjudicator.debate_id.in_(in_league),
                                            DebateAdjudicator.role == "chair").order_by(DebateAdjudicator.id)):
            chairs[da.debate_id] = da.adjudicator_id
    for d in debates:
        _add_debate(h, d, rounds[d.round_id].number, ballots[d.id], chairs, speaker_ids)
    for bye in db.session.execute(select(Bye.team_id, Bye.round_id)
                                  .where(Bye.league_id == league.id, Bye.round_id.in_(rounds)).order_by(Bye.id)):
        h.byes[bye.team_id] += 1
        h.team_results.append(TeamResult(round_number=rounds[bye.round_id].number, team_id=bye.team_id,
                                         opponent_id=None, side=None, won=True, points=None, margin=None, bye=True))
    return h


def _add_debate(h, d, number, ballots, chairs, speaker_ids):
    h.gov_count[d.gov_team_id] += 1
    h.opp_count[d.opp_team_id] += 1
    h.opponents[d.gov_team_id].add(d.opp_team_id)
    h.opponents[d.opp_team_id].add(d.gov_team_id)
    for flag in d.flags or []:
        if flag == "pullup:gov":
            h.pullups[d.gov_team_id] += 1
        elif flag == "pullup:opp":
            h.pullups[d.opp_team_id] += 1
    if d.confirmed_at is None:
        h.unconfirmed_debates += 1
        return
    res = compute_result(d, ballots, chairs, speaker_ids)
    votes = res.votes
    for side, team, opp in (("gov", d.gov_team_id, d.opp_team_id), ("opp", d.opp_team_id, d.gov_team_id)):
        pts = res.team_points.get(side) if res.team_points else None
        margin = None if res.margin is None else (res.margin if side == "gov" else -res.margin)
        h.team_results.append(TeamResult(round_number=number, team_id=team, opponent_id=opp, side=side,
                                         won=(res.winner == side), points=pts, margin=margin,
                                         ballots_won=votes.get(side, 0), ballots_total=sum(votes.values())))
    for sid, mark in res.speaker_marks.items():
        team = d.gov_team_id if sid in speaker_ids.get(d.gov_team_id, []) else d.opp_team_id
        h.speaker_results.append(SpeakerResult(round_number=number, speaker_id=sid, team_id=team, mark=mark))
    for b in counting_ballots(ballots):
        for kind in ("orator", "analyst"):
            sid = (b.nominations or {}).get(kind)
            if sid:
                h.nominations.append((kind, int(sid)))
