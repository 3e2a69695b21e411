"""Forfeits in the standings (both `forfeit_points` rules), iron persons and substitutes on a
ballot: checked against plain, independent computations."""
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from debate.tab.results import BallotInput, ScoreRules, debate_result, validate_ballot
from debate.tab.standings import SpeakerResult, TeamResult, speaker_standings, team_standings


def random_league(rng, n_teams, n_rounds):
    """Results with some forfeits; returns (results, {(round, team): exact points or None}, forfeits)."""
    results, exact, forfeits = [], {}, []
    for rnd in range(1, n_rounds + 1):
        order = list(range(1, n_teams + 1))
        rng.shuffle(order)
        if len(order) % 2:
            order.pop()
        for i in range(0, len(order), 2):
            g, o = order[i], order[i + 1]
            if rng.random() < 0.25:
                absent = rng.choice(["gov", "opp"])
                forfeits.append((rnd, g, o, absent))
                results.append(TeamResult(rnd, g, o, "gov", absent == "opp", None, None, forfeit=True))
                results.append(TeamResult(rnd, o, g, "opp", absent == "gov", None, None, forfeit=True))
                continue
            gp = Fraction(rng.choice([100, 101, 103, 104]), 2)
            op = Fraction(rng.choice([100, 101, 103, 104]), 2)
            gw = rng.random() < 0.5
            exact[(rnd, g)], exact[(rnd, o)] = gp, op
            results.append(TeamResult(rnd, g, o, "gov", gw, float(gp), float(gp - op), 1 if gw else 0, 1))
            results.append(TeamResult(rnd, o, g, "opp", not gw, float(op), float(op - gp), 0 if gw else 1, 1))
    rng.shuffle(results)
    return results, exact, forfeits


def reference(team_ids, results, exact, forfeits, rule):
    """Per team: wins, total points, average, draw strength, computed plainly."""
    wins = {t: sum(1 for r in results if r.team_id == t and r.won) for t in team_ids}
    out = {}
    for t in team_ids:
        own = [exact[(r.round_number, t)] for r in results if r.team_id == t and not r.forfeit]
        total = sum(own, Fraction(0))
        scored = len(own)
        forfeit_wins = sum(1 for rnd, g, o, absent in forfeits
                           if (g == t and absent == "opp") or (o == t and absent == "gov"))
        if rule == "average" and own:
            total += forfeit_wins * (sum(own, Fraction(0)) / len(own))
            scored += forfeit_wins
        ds = sum(wins[r.opponent_id] for r in results if r.team_id == t and r.opponent_id is not None)
        out[t] = (wins[t], total, total / scored if scored else 0, ds)
    return out


@settings(deadline=None, max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), n_teams=st.integers(2, 12), n_rounds=st.integers(1, 5),
       rule=st.sampled_from(["none", "average"]))
def test_team_standings_with_forfeits_match_reference(seed, n_teams, n_rounds, rule):
    rng = random.Random(seed)
    results, exact, forfeits = random_league(rng, n_teams, n_rounds)
    team_ids = list(range(1, n_teams + 1))
    rows = {r.team_id: r for r in team_standings(team_ids, results, forfeit_points=rule)}
    ref = reference(team_ids, results, exact, forfeits, rule)
    for t in team_ids:
        wins, total, average, ds = ref[t]
        row = rows[t]
        assert row.wins == wins
        assert row.speaker_points == pytest.approx(float(total))
        assert row.average_points == pytest.approx(float(average))
        assert row.draw_strength == ds


def test_forfeit_example_both_rules():
    # Team 1 beat team 2 with 52 points in round 1, then won round 2 by forfeit (team 3 absent).
    results = [TeamResult(1, 1, 2, "gov", True, 52.0, 2.0, 1, 1), TeamResult(1, 2, 1, "opp", False, 50.0, -2.0, 0, 1),
               TeamResult(2, 1, 3, "gov", True, None, None, forfeit=True),
               TeamResult(2, 3, 1, "opp", False, None, None, forfeit=True)]
    none = {r.team_id: r for r in team_standings([1, 2, 3], results)}
    avg = {r.team_id: r for r in team_standings([1, 2, 3], results, forfeit_points="average")}
    assert none[1].wins == avg[1].wins == 2 and none[3].wins == 0
    assert none[1].speaker_points == 52.0 and none[1].average_points == 52.0
    assert avg[1].speaker_points == 104.0 and avg[1].average_points == 52.0
    assert none[1].margin == 2.0 == avg[1].margin  # a forfeit has no margin
    assert none[3].speaker_points == avg[3].speaker_points == 0.0


@settings(deadline=None, max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), n_speakers=st.integers(1, 12), rounds_held=st.integers(1, 5),
       max_missed=st.integers(0, 2), rule=st.sampled_from(["none", "average"]))
def test_speaker_standings_with_forfeits_match_reference(seed, n_speakers, rounds_held, max_missed, rule):
    rng = random.Random(seed)
    speakers = [(s, 100 + s // 2) for s in range(1, n_speakers + 1)]
    results, marks, forfeit_rounds = [], {}, {}
    for rnd in range(1, rounds_held + 1):
        for sid, tid in speakers:
            x = rng.random()
            if x < 0.6:
                mark = Fraction(rng.choice([50, 51, 52, 53, 54]), 2)
                marks.setdefault(sid, []).append(mark)
                results.append(SpeakerResult(rnd, sid, tid, float(mark)))
            elif x < 0.8:
                forfeit_rounds.setdefault(sid, set()).add(rnd)
                results.append(SpeakerResult(rnd, sid, tid, 0.0, True))
    rng.shuffle(results)
    rows = {r.speaker_id: r for r in speaker_standings(speakers, results, rounds_held, max_missed, rule)}
    for sid, _tid in speakers:
        own = marks.get(sid, [])
        n_forfeit = len(forfeit_rounds.get(sid, ()))
        total, speeches = sum(own, Fraction(0)), len(own)
        if rule == "average" and own:
            total += n_forfeit * total / len(own)
            speeches += n_forfeit
        present = len({r.round_number for r in results if r.speaker_id == sid})
        row = rows[sid]
        assert row.total == pytest.approx(float(total))
        assert row.speeches == speeches
        assert row.ranked == (present > 0 and rounds_held - present <= max_missed)


# ---------------------------------------------------------------- iron persons and substitutes
MARKS = {"PM": 27.0, "MG": 26.0, "LO": 25.0, "MO": 25.5}


def test_iron_person_refused_unless_allowed():
    iron = {"PM": 1, "MG": 1, "LO": 3, "MO": 4}
    errors = validate_ballot("gov", MARKS, iron, (1, 2), (3, 4))
    assert errors["speakers"][0] == "duplicate_speaker"
    assert validate_ballot("gov", MARKS, iron, (1, 2), (3, 4), allow_iron_person=True) == {}
    # never one speaker in two roles of different teams, nor in three roles
    assert "speakers" in validate_ballot("gov", MARKS, {"PM": 1, "MG": 2, "LO": 1, "MO": 4}, (1, 2), (1, 4),
                                         allow_iron_person=True)


def test_substitute_same_school_and_other_school():
    sub = {"PM": 9, "MG": 2, "LO": 3, "MO": 4}
    assert validate_ballot("gov", MARKS, sub, (1, 2), (3, 4))["speakers.PM"][0] == "not_in_team"
    assert validate_ballot("gov", MARKS, sub, (1, 2), (3, 4), substitutes={"gov": (9,)}) == {}
    # a reserve of the government's school is no substitute for the opposition
    swapped = {"PM": 1, "MG": 2, "LO": 9, "MO": 4}
    assert "speakers.LO" in validate_ballot("gov", MARKS, swapped, (1, 2), (3, 4), substitutes={"gov": (9,)})
    err = validate_ballot("gov", MARKS, sub, (1, 2), (3, 4), other_school={9})
    assert err["speakers.PM"][0] == "substitute_other_school"


@settings(deadline=None, max_examples=100)
@given(marks=st.lists(st.sampled_from([25.0, 25.5, 26.0, 27.0, 28.5]), min_size=12, max_size=12),
       panel=st.integers(1, 3))
def test_iron_person_round_mark_is_mean_and_team_gets_both(marks, panel):
    ballots = []
    for i in range(panel):
        m = marks[4 * i:4 * i + 4]
        ballots.append(BallotInput(i + 1, "gov", dict(zip(("PM", "MG", "LO", "MO"), m)),
                                   {"PM": 1, "MG": 1, "LO": 3, "MO": 4}))
    res = debate_result(ballots, 1)
    pm = [b.scores["PM"] for b in ballots]
    mg = [b.scores["MG"] for b in ballots]
    assert res.speaker_marks[1] == pytest.approx((sum(pm) + sum(mg)) / (2 * panel))
    assert res.team_points["gov"] == pytest.approx(sum(pm) / panel + sum(mg) / panel)
    assert res.speaker_sides == {1: "gov", 3: "opp", 4: "opp"}


def test_substitute_side_is_the_side_they_spoke_for():
    b = BallotInput(1, "opp", MARKS, {"PM": 1, "MG": 2, "LO": 9, "MO": 4})
    res = debate_result([b], 1)
    assert res.speaker_sides[9] == "opp" and res.team_points["opp"] == 50.5


def test_rules_unchanged_by_default():
    assert validate_ballot("gov", MARKS, {}, (1, 2), (3, 4), ScoreRules()) == {}
