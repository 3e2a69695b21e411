"""Diplomas by the regulations' share: 45 % of the teams, split I 20 % / II 30 % / III 50 %,
ranked by the playoff stage reached, then the preliminary standings; ties at a cut go to the
director, never to the lower id."""
from hypothesis import given, settings, strategies as st

from debate.tab.diplomas import STAGES, Tie, cuts, rank_key, share_degrees, winners_count


def test_the_regulations_numbers_for_twenty_teams():
    assert winners_count(20, 45) == 9
    assert cuts(9, [20, 30, 50]) == [2, 5, 9]  # I: 2, II: 3, III: 4


def test_playoff_stage_comes_before_the_preliminary_rank():
    keys = [rank_key("champion", 7), rank_key("finalist", 1), rank_key("semifinalist", 3),
            rank_key(None, 1), rank_key(None, None)]
    assert keys == sorted(keys)


def test_no_tie():
    ranked = [(i, rank_key(None, i)) for i in range(1, 21)]
    degrees, tie = share_degrees(ranked, 45, [20, 30, 50])
    assert tie is None
    assert degrees == {1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 3}


def test_tie_at_a_cut_is_reported_and_decided():
    # teams 2, 3 and 4 share rank 2 across the cut of degree I (2 places)
    ranks = [1, 2, 2, 2] + list(range(5, 21))
    ranked = [(i + 1, rank_key(None, r)) for i, r in enumerate(ranks)]
    degrees, tie = share_degrees(ranked, 45, [20, 30, 50])
    assert tie == Tie(1, (2, 3, 4), 1)
    assert degrees == {1: 1}  # nothing below an undecided tie
    # the director gives degree I to team 3 only
    degrees, tie = share_degrees(ranked, 45, [20, 30, 50], {1: ((2, 3, 4), [3])})
    assert tie is None
    assert degrees[1] == degrees[3] == 1 and degrees[2] == degrees[4] == 2
    assert sum(1 for d in degrees.values() if d) == 9
    # ... or widens the group: all three get degree I, the later cuts stay where they were
    degrees, tie = share_degrees(ranked, 45, [20, 30, 50], {1: ((2, 3, 4), [2, 3, 4])})
    assert tie is None and [tid for tid, d in degrees.items() if d == 1] == [1, 2, 3, 4]
    assert [tid for tid, d in degrees.items() if d == 2] == [5]
    # a decision about another set of teams does not apply
    _d, tie = share_degrees(ranked, 45, [20, 30, 50], {1: ((2, 3), [3])})
    assert tie == Tie(1, (2, 3, 4), 1)


ranks_st = st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=40)
stage_st = st.sampled_from(list(STAGES) + [None])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(stage_st, st.integers(min_value=1, max_value=8)), min_size=1, max_size=40),
       st.integers(min_value=1, max_value=100),
       st.tuples(st.integers(0, 100), st.integers(0, 100)).filter(lambda s: s[0] + s[1] <= 100))
def test_properties(rows, share, s12):
    split = [s12[0], s12[1], 100 - s12[0] - s12[1]]
    ranked = [(i + 1, rank_key(stage, rank)) for i, (stage, rank) in enumerate(rows)]
    key = dict(ranked)
    degrees, tie = share_degrees(ranked, share, split)
    # a better team never has a worse degree (no degree is the worst), equal keys equal degrees
    for a in key:
        for b in key:
            if key[a] < key[b] and b in degrees:
                assert a in degrees and degrees[a] <= degrees[b]
            if key[a] == key[b] and tie is None:
                assert degrees.get(a) == degrees.get(b)
    limits = cuts(winners_count(len(ranked), share), split)
    if tie is None:
        # without ties the counts are exactly the regulations' share
        assert len(degrees) == limits[2]
        for d, limit in zip((1, 2, 3), limits):
            assert sum(1 for v in degrees.values() if v <= d) == limit
    else:
        assert 0 < tie.places < len(tie.team_ids)
        assert len({key[t] for t in tie.team_ids}) == 1
        assert not set(tie.team_ids) & set(degrees)
        # deciding it by choosing exactly the places left moves past this cut
        chosen = list(tie.team_ids[:tie.places])
        degrees2, tie2 = share_degrees(ranked, share, split, {tie.degree: (tie.team_ids, chosen)})
        assert all(degrees2[t] == tie.degree for t in chosen)
        assert tie2 is None or tie2.degree > tie.degree or set(tie2.team_ids) != set(tie.team_ids)
