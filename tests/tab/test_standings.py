import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from debate.tab.standings import (SpeakerResult, TeamResult, nominations, speaker_standings,
                                  team_standings)


def res(rnd, team, opp, won, points, margin=None, ballots=None, bye=False):
    if margin is None and points is not None and not bye:
        margin = 0.0
    return TeamResult(rnd, team, opp, None if bye else "gov", won, points, margin,
                      ballots if ballots is not None else (3 if won else 0), 3, bye)


def debate(rnd, gov, opp, gov_points, opp_points, gov_won=True):
    m = gov_points - opp_points
    return [TeamResult(rnd, gov, opp, "gov", gov_won, gov_points, m, 2 if gov_won else 1, 3),
            TeamResult(rnd, opp, gov, "opp", not gov_won, opp_points, -m, 1 if gov_won else 2, 3)]


def by_team(rows):
    return {r.team_id: r for r in rows}


# ---------------------------------------------------------------- team standings: examples
def test_basic_order_and_fields():
    results = debate(1, 1, 2, 55, 50) + debate(1, 3, 4, 52, 53, gov_won=False)
    rows = team_standings([1, 2, 3, 4], results)
    assert [r.team_id for r in rows] == [1, 4, 3, 2]
    t1 = rows[0]
    assert (t1.rank, t1.tied, t1.wins, t1.speaker_points, t1.average_points, t1.draw_strength,
            t1.margin, t1.ballots_won, t1.rounds, t1.separated_by) == (1, False, 1, 55, 55, 0, 5, 2, 1, None)
    assert rows[1].separated_by == "speaker_points"  # 4 (53) below 1 (55), both one win
    assert rows[2].separated_by == "wins"
    assert rows[3].separated_by == "speaker_points"


def test_ties_share_rank_competition_style():
    # 1 beats 2 on points; 3 and 5 identical; 4 last: ranks 1, 2, 2, 4
    results = (debate(1, 1, 2, 60, 50) + debate(1, 3, 4, 55, 50) + debate(1, 5, 6, 55, 50)
               + debate(1, 7, 8, 40, 45, gov_won=False))
    rows = team_standings([1, 3, 5, 7], results)
    assert [(r.rank, r.tied, r.team_id) for r in rows] == [(1, False, 1), (2, True, 3), (2, True, 5), (4, False, 7)]
    assert [r.separated_by for r in rows] == [None, "speaker_points", None, "wins"]


def test_tied_teams_listed_by_id():
    results = debate(1, 9, 2, 50, 50) + debate(1, 4, 7, 50, 50)
    rows = team_standings([9, 4, 2, 7], results, precedence=("wins", "speaker_points"))
    assert [(r.rank, r.team_id) for r in rows] == [(1, 4), (1, 9), (3, 2), (3, 7)]
    assert all(r.tied for r in rows)


def test_draw_strength_sums_opponents_wins():
    # round 1: 1 beats 2, 3 beats 4; round 2: 1 beats 3, 4 beats 2
    results = (debate(1, 1, 2, 50, 50) + debate(1, 3, 4, 50, 50)
               + debate(2, 1, 3, 50, 50) + debate(2, 4, 2, 50, 50))
    d = by_team(team_standings([1, 2, 3, 4], results))
    assert [d[t].wins for t in (1, 2, 3, 4)] == [2, 0, 1, 1]
    assert d[1].draw_strength == 0 + 1   # met 2 (0 wins) and 3 (1 win)
    assert d[2].draw_strength == 2 + 1
    assert d[3].draw_strength == 1 + 2
    assert d[4].draw_strength == 1 + 0
    # 3 and 4: one win, 100 points each: draw strength separates them
    rows = team_standings([1, 2, 3, 4], results)
    assert [r.team_id for r in rows] == [1, 3, 4, 2]
    assert [r.separated_by for r in rows] == [None, "wins", "draw_strength", "wins"]


def test_precedence_is_a_setting():
    results = debate(1, 1, 2, 50, 60) + debate(1, 3, 4, 45, 40, gov_won=False)
    default = [r.team_id for r in team_standings([1, 2, 3, 4], results)]
    by_points = team_standings([1, 2, 3, 4], results, precedence=("speaker_points", "wins"))
    assert default == [1, 4, 2, 3]
    assert [r.team_id for r in by_points] == [2, 1, 3, 4]
    assert by_points[1].separated_by == "speaker_points"
    by_margin = team_standings([1, 2, 3, 4], results, precedence=("margin",))
    assert [r.team_id for r in by_margin] == [2, 3, 4, 1]
    by_ballots = team_standings([1, 2, 3, 4], results, precedence=("ballots_won", "average_points"))
    assert [r.team_id for r in by_ballots] == [1, 4, 2, 3]
    with pytest.raises(ValueError):
        team_standings([1], [], precedence=("elo",))


def test_who_beat_whom_two_teams():
    # 1 and 2 both 1 win, 100 points; 2 beat 1 head to head
    results = (debate(1, 1, 3, 50, 50) + debate(1, 2, 4, 50, 50, gov_won=False)
               + debate(2, 2, 1, 50, 50) + debate(2, 3, 4, 50, 50))
    base = team_standings([1, 2], results, precedence=("wins", "speaker_points"))
    assert [(r.rank, r.team_id, r.tied) for r in base] == [(1, 1, True), (1, 2, True)]
    rows = team_standings([1, 2], results, precedence=("wins", "speaker_points", "who_beat_whom"))
    assert [(r.rank, r.team_id, r.tied, r.separated_by) for r in rows] == [
        (1, 2, False, None), (2, 1, False, "who_beat_whom")]


def test_who_beat_whom_not_for_three_or_strangers():
    # 1, 2, 3 all one win, equal points; 1 beat 2 but three teams are tied
    results = (debate(1, 1, 2, 50, 50) + debate(1, 3, 4, 50, 50)
               + debate(2, 2, 5, 50, 50) + debate(2, 4, 1, 50, 50, gov_won=True)
               + debate(2, 3, 6, 50, 50, gov_won=False) + debate(1, 6, 5, 50, 50, gov_won=False))
    rows = team_standings([1, 2, 3], results, precedence=("wins", "speaker_points", "who_beat_whom"))
    assert [(r.rank, r.team_id) for r in rows] == [(1, 1), (1, 2), (1, 3)]
    # two tied teams that never met stay tied
    results = debate(1, 1, 3, 50, 50) + debate(1, 2, 4, 50, 50)
    rows = team_standings([1, 2], results, precedence=("wins", "who_beat_whom"))
    assert [r.rank for r in rows] == [1, 1]


def test_bye_average_points_and_no_draw_strength():
    results = (debate(1, 1, 2, 50, 49) + debate(2, 1, 3, 54, 40)
               + [res(3, 1, None, False, None, bye=True)]
               + debate(3, 2, 3, 50, 50))
    d = by_team(team_standings([1, 2, 3], results))
    assert d[1].wins == 3          # the bye counts as a win even with won=False
    assert d[1].speaker_points == 50 + 54 + 52
    assert d[1].average_points == 52
    assert d[1].rounds == 3
    assert d[1].draw_strength == d[2].wins + d[3].wins  # the bye adds no opponent
    assert d[1].margin == 1 + 14  # a bye adds no margin


def test_bye_with_given_points_and_only_bye():
    results = [res(1, 1, None, True, 51.5, bye=True), res(1, 2, None, True, None, bye=True)]
    d = by_team(team_standings([1, 2], results))
    assert d[1].speaker_points == 51.5 and d[1].wins == 1
    assert d[2].speaker_points == 0 and d[2].wins == 1  # nothing to average yet


def test_team_without_results():
    rows = team_standings([5, 6], debate(1, 5, 9, 50, 40))
    assert rows[1].team_id == 6 and rows[1].wins == 0 and rows[1].rounds == 0
    assert rows[0].draw_strength == 0


# ---------------------------------------------------------------- team standings: property
def random_tournament(rng, n_teams, n_rounds, bye_points_given):
    results = []
    for rnd in range(1, n_rounds + 1):
        order = list(range(1, n_teams + 1))
        rng.shuffle(order)
        if len(order) % 2:
            t = order.pop()
            pts = rng.choice([None, 50.0]) if bye_points_given else None
            results.append(TeamResult(rnd, t, None, None, True, pts, None, 0, 0, True))
        for i in range(0, len(order), 2):
            g, o = order[i], order[i + 1]
            gp = rng.choice([50.0, 50.5, 51.0, 52.0])
            op = rng.choice([50.0, 50.5, 51.0, 52.0])
            gw = rng.random() < 0.5
            panel = rng.choice([1, 3])
            bw = rng.randint(panel // 2 + 1, panel)
            results.append(TeamResult(rnd, g, o, "gov", gw, gp, gp - op, bw if gw else panel - bw, panel))
            results.append(TeamResult(rnd, o, g, "opp", not gw, op, op - gp, panel - bw if gw else bw, panel))
    return results


def reference_team_standings(team_ids, results, precedence):
    """Slow and plain: scans all results for every team and every opponent."""
    values = {}
    for t in team_ids:
        wins = 0
        points = Fraction(0)
        scored = 0
        margin = Fraction(0)
        ballots = 0
        rounds = 0
        ds = 0
        own = [Fraction(r.points) for r in results if r.team_id == t and not r.bye and r.points is not None]
        for r in results:
            if r.team_id != t:
                continue
            rounds += 1
            ballots += r.ballots_won
            if r.bye or r.won:
                wins += 1
            if r.bye:
                p = r.points if r.points is not None else (sum(own) / len(own) if own else None)
            else:
                p = r.points
            if p is not None:
                points += Fraction(p)
                scored += 1
            if r.margin is not None:
                margin += Fraction(r.margin)
            if not r.bye and r.opponent_id is not None:
                for r2 in results:
                    if r2.team_id == r.opponent_id and (r2.won or r2.bye):
                        ds += 1
        values[t] = {"wins": wins, "speaker_points": points,
                     "average_points": points / scored if scored else Fraction(0),
                     "draw_strength": ds, "margin": margin, "ballots_won": ballots, "rounds": rounds}
    plain = [m for m in precedence if m != "who_beat_whom"]
    assert "who_beat_whom" not in precedence or precedence[-1] == "who_beat_whom"

    def key(t):
        return tuple(-values[t][m] for m in plain)

    order = sorted(team_ids, key=lambda t: (key(t), t))
    groups = []
    for t in order:
        if groups and key(groups[-1][0]) == key(t):
            groups[-1].append(t)
        else:
            groups.append([t])
    if "who_beat_whom" in precedence:
        split = []
        for g in groups:
            if len(g) == 2:
                a, b = g
                score = 0
                for r in results:
                    if r.team_id == a and r.opponent_id == b and not r.bye:
                        score += 1 if r.won else -1
                if score:
                    split += [[a], [b]] if score > 0 else [[b], [a]]
                    continue
            split.append(g)
        groups = split
    out = []
    prev = None
    for g in groups:
        rank = len(out) + 1
        for i, t in enumerate(g):
            sep = None
            if i == 0 and prev is not None:
                for m in plain:
                    if values[t][m] != values[prev][m]:
                        sep = m
                        break
                else:
                    sep = "who_beat_whom"
            out.append((rank, len(g) > 1, t, sep, values[t]))
        prev = g[-1]
    return out


@settings(deadline=None, max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), n_teams=st.integers(2, 13), n_rounds=st.integers(1, 5),
       metrics=st.lists(st.sampled_from(["wins", "speaker_points", "average_points", "draw_strength",
                                         "margin", "ballots_won"]), min_size=1, max_size=4, unique=True),
       h2h=st.booleans(), bye_points_given=st.booleans())
def test_team_standings_match_reference(seed, n_teams, n_rounds, metrics, h2h, bye_points_given):
    rng = random.Random(seed)
    results = random_tournament(rng, n_teams, n_rounds, bye_points_given)
    precedence = tuple(metrics) + (("who_beat_whom",) if h2h else ())
    team_ids = list(range(1, n_teams + 1))
    rng.shuffle(team_ids)
    rows = team_standings(team_ids, results, precedence)
    ref = reference_team_standings(team_ids, results, precedence)
    assert len(rows) == len(ref)
    for row, (rank, tied, t, sep, v) in zip(rows, ref):
        assert (row.rank, row.tied, row.team_id, row.separated_by) == (rank, tied, t, sep)
        assert row.wins == v["wins"] and row.draw_strength == v["draw_strength"]
        assert row.ballots_won == v["ballots_won"] and row.rounds == v["rounds"]
        assert row.speaker_points == pytest.approx(float(v["speaker_points"]))
        assert row.average_points == pytest.approx(float(v["average_points"]))
        assert row.margin == pytest.approx(float(v["margin"]))
    # ranks are competition ranks: rank == 1 + number of teams strictly above
    for i, row in enumerate(rows):
        assert row.rank == 1 + sum(1 for other in rows if other.rank < row.rank)
        assert row.tied == any(o.rank == row.rank for o in rows if o is not row)


# ---------------------------------------------------------------- speaker standings
def sr(rnd, sid, team, mark):
    return SpeakerResult(rnd, sid, team, mark)


def test_speaker_standings_basic_and_ties():
    speakers = [(1, 10), (2, 10), (3, 20), (4, 20)]
    results = [sr(1, 1, 10, 27), sr(2, 1, 10, 26), sr(1, 2, 10, 26.5), sr(2, 2, 10, 26.5),
               sr(1, 3, 20, 25), sr(2, 3, 20, 25), sr(1, 4, 20, 28), sr(2, 4, 20, 28)]
    rows = speaker_standings(speakers, results, rounds_held=2)
    assert [(r.rank, r.tied, r.speaker_id) for r in rows] == [(1, False, 4), (2, True, 1), (2, True, 2), (4, False, 3)]
    r4 = rows[0]
    assert (r4.team_id, r4.total, r4.average, r4.speeches, r4.ranked) == (20, 56, 28, 2, True)


def test_max_missed():
    speakers = [(1, 10), (2, 10), (3, 20)]
    results = [sr(1, 1, 10, 25), sr(2, 1, 10, 25), sr(3, 1, 10, 25), sr(4, 1, 10, 25),
               sr(1, 2, 10, 30), sr(2, 2, 10, 30),                       # missed 2 of 4
               sr(1, 3, 20, 26), sr(2, 3, 20, 26), sr(3, 3, 20, 26)]     # missed 1 of 4
    rows = speaker_standings(speakers, results, rounds_held=4, max_missed=1)
    assert [(r.speaker_id, r.rank, r.ranked) for r in rows] == [(1, 1, True), (3, 2, True), (2, None, False)]
    rows = speaker_standings(speakers, results, rounds_held=4, max_missed=2)
    assert [(r.speaker_id, r.rank) for r in rows] == [(1, 1), (3, 2), (2, 3)]
    rows = speaker_standings(speakers, results, rounds_held=4, max_missed=0)
    assert [(r.speaker_id, r.ranked) for r in rows] == [(1, True), (3, False), (2, False)]


def test_speaker_who_never_spoke():
    rows = speaker_standings([(1, 10), (2, 10)], [sr(1, 1, 10, 27)], rounds_held=1)
    assert rows[1].speaker_id == 2 and rows[1].ranked is False and rows[1].rank is None
    assert rows[1].speeches == 0 and rows[1].total == 0 and rows[1].average is None


def test_iron_speech_counts_twice_but_one_round():
    rows = speaker_standings([(1, 10)], [sr(1, 1, 10, 27), sr(1, 1, 10, 26)], rounds_held=2)
    assert rows[0].speeches == 2 and rows[0].total == 53 and rows[0].ranked  # missed 1 round


@settings(deadline=None, max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), n_speakers=st.integers(1, 20), rounds_held=st.integers(1, 5),
       max_missed=st.integers(0, 2))
def test_speaker_standings_match_reference(seed, n_speakers, rounds_held, max_missed):
    rng = random.Random(seed)
    speakers = [(s, 100 + s // 2) for s in range(1, n_speakers + 1)]
    results = []
    exact = {}  # the intended mark; panel means like 26 1/3 are not exact floats
    for rnd in range(1, rounds_held + 1):
        for sid, tid in speakers:
            if rng.random() < 0.8:
                if rng.random() < 0.7:
                    mark = Fraction(rng.choice([50, 51, 52, 53, 54]), 2)
                else:
                    mark = Fraction(rng.randint(75, 87), 3)
                exact[(rnd, sid)] = mark
                results.append(sr(rnd, sid, tid, float(mark)))
    rng.shuffle(results)
    rows = speaker_standings(speakers, results, rounds_held, max_missed)

    ref = []
    for sid, tid in speakers:
        marks = [exact[(r.round_number, sid)] for r in results if r.speaker_id == sid]
        rounds = {r.round_number for r in results if r.speaker_id == sid}
        ref.append((sid, tid, sum(marks), len(marks), bool(rounds) and rounds_held - len(rounds) <= max_missed))
    ranked = sorted([x for x in ref if x[4]], key=lambda x: (-x[2], x[0]))
    unranked = sorted([x for x in ref if not x[4]], key=lambda x: (-x[2], x[0]))
    assert [r.speaker_id for r in rows] == [x[0] for x in ranked + unranked]
    for row, x in zip(rows, ranked):
        same = [y for y in ranked if y[2] == x[2]]
        assert row.rank == 1 + sum(1 for y in ranked if y[2] > x[2])
        assert row.tied == (len(same) > 1) and row.ranked
        assert row.total == pytest.approx(float(x[2]))
        assert row.speeches == x[3] and row.team_id == x[1]
        if x[3]:
            assert row.average == pytest.approx(float(x[2] / x[3]))
    for row in rows[len(ranked):]:
        assert row.rank is None and not row.ranked and not row.tied


# ---------------------------------------------------------------- nominations
def test_nominations_order_and_ties():
    votes = ([("orator", 1)] * 3 + [("orator", 2)] * 3 + [("orator", 3)] * 3 + [("orator", 4)]
             + [("analyst", 5)] * 2 + [("analyst", 6)])
    totals = {1: 100, 2: 110, 3: 100, 4: 120, 5: 90, 6: 99}
    out = nominations(votes, totals)
    orator = [(r.rank, r.speaker_id, r.count, r.points, r.tied) for r in out["orator"]]
    assert orator == [(1, 2, 3, 110, False), (2, 1, 3, 100, True), (2, 3, 3, 100, True), (4, 4, 1, 120, False)]
    assert [(r.rank, r.speaker_id) for r in out["analyst"]] == [(1, 5), (2, 6)]


def test_nominations_top_keeps_tie_at_cut_and_empty_kinds():
    votes = [("orator", s) for s in (1, 2, 3, 4)] + [("orator", None)]
    totals = {1: 100, 2: 90, 3: 90, 4: 80}
    out = nominations(votes, totals, top=2)
    assert [(r.rank, r.speaker_id) for r in out["orator"]] == [(1, 1), (2, 2), (2, 3)]
    assert out["analyst"] == []
    out = nominations(votes, totals, top=1)
    assert [r.speaker_id for r in out["orator"]] == [1]
