"""What has happened so far in a league, read in a fixed number of queries and turned into
the tab logic's inputs: team results, speaker results, side and opponent history.

Only confirmed ballots count. Each debate's outcome is recomputed from them with
tab.results.debate_result, so standings always agree with the ballots.
"""
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Text, and_, cast, select

from ..core.extensions import db
from ..models import Ballot, Bye, Debate, DebateAdjudicator, Round, RoundLeague, Speaker, Team
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


class Roster(NamedTuple):
    """A league's teams and speakers as plain values (no ORM objects)."""
    team_ids: list                  # in id order
    team_names: dict                # team_id -> name
    speakers: list                  # [(speaker_id, team_id)] by team, then position (no reserves)
    speaker_names: dict             # speaker_id -> name (reserves too)


def _rows(stmt):
    """All rows of a column select, as plain tuples through the session's connection: the
    ORM's per-row result processing (~1 µs a row) is skipped. Pending changes are flushed
    first, as the session's own execute would (autoflush)."""
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(stmt).all()


def league_roster(league) -> Roster:
    """Teams and speakers of a league in two queries of plain columns."""
    teams = _rows(select(Team.id, Team.name).where(Team.league_id == league.id).order_by(Team.id))
    speakers = _rows(select(Speaker.id, Speaker.team_id, Speaker.name, Speaker.reserve).join(Team)
                     .where(Team.league_id == league.id)
                     .order_by(Speaker.team_id, Speaker.position, Speaker.id))
    # A reserve is in the speaker tab only once they have spoken (as a substitute).
    return Roster(team_ids=[t[0] for t in teams], team_names=dict(teams),
                  speakers=[(s[0], s[1]) for s in speakers if not s[3]],
                  speaker_names={s[0]: s[2] for s in speakers})


class _Ballot(NamedTuple):
    """What debate_result reads from a ballot (a cheap stand-in for tab.results.BallotInput)."""
    adjudicator_id: int
    winner: str
    scores: dict
    speakers: dict
    nominations: dict


def _json_rows(texts):
    """Decode many small JSON documents (as stored) in one call: one json.loads of a JSON
    array rather than one call per value. None stays None."""
    if not texts:
        return []
    return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")


def league_history(league, before_seq: int | None = None, public: bool = False,
                   roster: Roster | None = None) -> LeagueHistory:
    """Preliminary rounds of one league (those before round seq `before_seq` if given).
    public=True leaves out rounds whose results are not released in this league or are silent.

    Reads plain column rows (no ORM objects: a 2,000-team league has 4,000 debates and at least
    as many ballots over four rounds) in at most six queries (four if `roster` is given),
    whatever the size of the league. The ballots' JSON columns are read as text and decoded
    in one call."""
    if roster is None:
        roster = league_roster(league)
    speaker_ids = defaultdict(list)
    for sid, tid in roster.speakers:
        speaker_ids[tid].append(sid)
    h = LeagueHistory(team_ids=list(roster.team_ids), speakers=list(roster.speakers))

    rq = select(Round.id, Round.number, RoundLeague.results_released, Round.silent).outerjoin(
        RoundLeague, and_(RoundLeague.round_id == Round.id, RoundLeague.league_id == league.id)).where(
        Round.tournament_id == league.tournament_id, Round.kind == "prelim")
    if before_seq is not None:
        rq = rq.where(Round.seq < before_seq)
    rounds = _rows(rq)
    if public:
        rounds = [r for r in rounds if r.results_released and not r.silent]
    number = {r.id: r.number for r in rounds}
    if not number:
        return h
    round_ids = list(number)
    # One row per (debate, confirmed ballot); a debate without a confirmed ballot gives one
    # row of NULL ballot columns.
    rows = _rows(
        select(Debate.id, Debate.round_id, Debate.gov_team_id, Debate.opp_team_id,
               cast(Debate.flags, Text), Debate.confirmed_at.is_not(None), Debate.forfeit,
               Ballot.id, Ballot.adjudicator_id, Ballot.version, Ballot.winner,
               cast(Ballot.scores, Text), cast(Ballot.speakers, Text), cast(Ballot.nominations, Text))
        .outerjoin(Ballot, and_(Ballot.debate_id == Debate.id, Ballot.status == "confirmed"))
        .where(Debate.league_id == league.id, Debate.round_id.in_(round_ids))
        .order_by(Debate.id, Ballot.id))

    debates = []   # (debate_id, round_id, gov, opp, flags at, confirmed, [(adj, version, winner, scores at,
    #                 speakers at, nominations at)]): "at" is an index into texts / values
    texts = []     # distinct JSON texts, decoded in one call (a panel's speaker mappings are
    at = {}        # usually the same text, most nominations are "{}"): text -> index. The
    #                decoded values are shared between ballots: read only.
    last = None
    forfeits = {}  # debate_id -> the side that did not appear
    for did, rid, gov, opp, flags, confirmed, forfeit, bid, adj, version, winner, sc, spk, nom in rows:
        if forfeit and confirmed:
            forfeits[did] = forfeit
        if did != last:
            last = did
            if flags is None or flags == "[]":
                flags_at = None
            else:
                flags_at = len(texts)
                texts.append(flags)
            d = (did, rid, gov, opp, flags_at, confirmed, [])
            debates.append(d)
        if bid is not None:
            k = []
            for text in (sc, spk, nom):
                i = at.get(text)
                if i is None:
                    i = at[text] = len(texts)
                    texts.append(text)
                k.append(i)
            d[6].append((adj, version, winner, *k))
    del rows
    values = _json_rows(texts)
    h.rounds_held = len({d[1] for d in debates})

    mappings = {}  # index into values -> speaker mapping with int ids
    results = []   # (debate, counted ballots, DebateResult)
    split = []     # indexes into results of even splits: the chair decides
    gov_count, opp_count, opponents, pullups = h.gov_count, h.opp_count, h.opponents, h.pullups
    for d in debates:
        did, rid, gov, opp, flags_at, confirmed, ballots = d
        gov_count[gov] += 1
        opp_count[opp] += 1
        opponents[gov].add(opp)
        opponents[opp].add(gov)
        if flags_at is not None:
            for flag in values[flags_at] or []:
                if flag == "pullup:gov":
                    pullups[gov] += 1
                elif flag == "pullup:opp":
                    pullups[opp] += 1
        if not confirmed:
            h.unconfirmed_debates += 1
            continue
        if did in forfeits:
            continue
        if len(ballots) > 1:  # counting ballots: per adjudicator the newest confirmed version
            best = {}
            for b in ballots:
                seen = best.get(b[0])
                if seen is None or b[1] > seen[1]:
                    best[b[0]] = b
            ballots = best.values()
        counted = []
        defaults = None
        for adj, _version, winner, sc_at, spk_at, nom_at in ballots:
            spk = mappings.get(spk_at)
            if spk is None:  # a speaker mapping (role -> id) with int ids, once per distinct text
                spk = values[spk_at] or {}
                for v in spk.values():
                    if type(v) is not int:
                        spk = {role: int(x) for role, x in spk.items()}
                        break
                mappings[spk_at] = spk
            if not spk:
                if defaults is None:  # the team's first speaker is PM/LO, the second MG/MO
                    gov_ids, opp_ids = speaker_ids.get(gov, ()), speaker_ids.get(opp, ())
                    defaults = {"PM": gov_ids[0] if gov_ids else None,
                                "MG": gov_ids[1] if len(gov_ids) > 1 else None,
                                "LO": opp_ids[0] if opp_ids else None,
                                "MO": opp_ids[1] if len(opp_ids) > 1 else None}
            counted.append(_Ballot(adj, winner, values[sc_at] or {}, spk, values[nom_at] or {}))
        res = debate_result(counted, None, default_speakers=defaults)
        if res.winner is None and res.votes["gov"] > 0:
            split.append(len(results))
        results.append((d, counted, defaults, res))
    if split:
        # Only even splits need the chair, so the chairs are read only if there is one.
        chairs = dict(_rows(
            select(DebateAdjudicator.debate_id, DebateAdjudicator.adjudicator_id)
            .join(Debate, Debate.id == DebateAdjudicator.debate_id)
            .where(Debate.league_id == league.id, Debate.round_id.in_(round_ids),
                   DebateAdjudicator.role == "chair")
            .order_by(DebateAdjudicator.id)))  # a debate's last chair row counts
        for i in split:
            d, counted, defaults, _res = results[i]
            results[i] = (d, counted, defaults, debate_result(counted, chairs.get(d[0]), default_speakers=defaults))

    # tuple.__new__(TeamResult, (...)) builds the same named tuple as TeamResult(...) at half
    # the cost (24,000 of them for 2,000 teams); the field order is TeamResult's.
    new = tuple.__new__
    team_results, speaker_results, noms = h.team_results, h.speaker_results, h.nominations
    for (did, rid, gov, opp, *_rest), counted, _defaults, res in results:
        n = number[rid]
        votes = res.votes
        n_votes = votes["gov"] + votes["opp"]
        points = res.team_points
        margin = res.margin
        team_results.append(new(TeamResult, (n, gov, opp, "gov", res.winner == "gov",
                                             points["gov"] if points else None, margin,
                                             votes["gov"], n_votes, False, False)))
        team_results.append(new(TeamResult, (n, opp, gov, "opp", res.winner == "opp",
                                             points["opp"] if points else None,
                                             None if margin is None else -margin, votes["opp"], n_votes, False,
                                             False)))
        sides = res.speaker_sides
        for sid, mark in res.speaker_marks.items():
            speaker_results.append(new(SpeakerResult, (n, sid, gov if sides.get(sid) == "gov" else opp, mark,
                                                       False)))
        for b in counted:
            if b.nominations:
                for kind in ("orator", "analyst"):
                    sid = b.nominations.get(kind)
                    if sid:
                        noms.append((kind, int(sid)))
    for d in debates:
        did, rid, gov, opp = d[:4]
        absent = forfeits.get(did)
        if absent is None:
            continue
        # A forfeit: the team present wins, no marks; how it counts is the standings' rule.
        n = number[rid]
        present = opp if absent == "gov" else gov
        team_results.append(TeamResult(n, gov, opp, "gov", absent == "opp", None, None, forfeit=True))
        team_results.append(TeamResult(n, opp, gov, "opp", absent == "gov", None, None, forfeit=True))
        for sid in speaker_ids.get(present, ()):
            speaker_results.append(SpeakerResult(n, sid, present, 0.0, True))
    for team_id, rid in _rows(select(Bye.team_id, Bye.round_id)
                              .where(Bye.league_id == league.id, Bye.round_id.in_(round_ids)).order_by(Bye.id)):
        h.byes[team_id] += 1
        team_results.append(TeamResult(number[rid], team_id, None, None, True, None, None, bye=True))
    return h
