import random

import pytest
from hypothesis import given, settings, strategies as st

from debate.tab.bracket import (BracketError, break_teams, bracket_order, elimination_sides,
                                next_round_pairs, stage_names)
from debate.tab.standings import TeamRow


def rows(ranks):
    """TeamRows with the given ranks in order; team ids 101, 102, ..."""
    out = []
    for i, rank in enumerate(ranks):
        tied = ranks.count(rank) > 1
        out.append(TeamRow(rank=rank, tied=tied, team_id=101 + i, wins=0, speaker_points=0.0,
                           average_points=0.0, draw_strength=0, margin=0.0, ballots_won=0,
                           rounds=4, separated_by=None))
    return out


# ---------------------------------------------------------------- break
def test_clean_break():
    b = break_teams(rows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 8)
    assert b.seeds == [(i + 1, 101 + i) for i in range(8)]
    assert b.tie_at_cut == [] and b.clean


def test_clean_break_with_ties_away_from_cut():
    b = break_teams(rows([1, 1, 3, 4, 4, 6, 7, 8, 9, 9]), 8)
    assert [t for _, t in b.seeds] == list(range(101, 109)) and b.clean


def test_tie_at_cut_reported_not_broken():
    # ranks 1..6, then three teams share 7th for the last two places
    b = break_teams(rows([1, 2, 3, 4, 5, 6, 7, 7, 7, 10]), 8)
    assert not b.clean
    assert b.tie_at_cut == [107, 108, 109]
    assert b.places_left == 2
    assert b.seeds == [(i + 1, 101 + i) for i in range(6)]


def test_tie_at_cut_with_director_choice():
    standings = rows([1, 2, 3, 4, 5, 6, 7, 7, 7, 10])
    b = break_teams(standings, 8, include=[109, 107])
    assert b.clean
    assert b.seeds == [(i + 1, 101 + i) for i in range(6)] + [(7, 107), (8, 109)]
    with pytest.raises(BracketError) as e:
        break_teams(standings, 8, include=[107])
    assert e.value.code == "include_wrong_count" and e.value.params == {"expected": 2, "got": 1}
    with pytest.raises(BracketError) as e:
        break_teams(standings, 8, include=[107, 110])
    assert e.value.code == "include_not_at_cut"
    with pytest.raises(BracketError) as e:
        break_teams(rows(list(range(1, 11))), 8, include=[108])
    assert e.value.code == "no_tie_at_cut"


def test_widening_the_break_resolves_the_tie():
    standings = rows([1, 2, 3, 4, 5, 6, 7, 7, 7, 10])
    assert break_teams(standings, 9).clean
    assert [t for _, t in break_teams(standings, 9).seeds] == list(range(101, 110))


def test_break_fewer_teams_than_size_and_invalid_size():
    assert break_teams(rows([1, 1, 3]), 4).seeds == [(1, 101), (2, 102), (3, 103)]
    with pytest.raises(BracketError):
        break_teams(rows([1, 2]), 0)


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=20), st.integers(1, 20))
def test_break_property(steps, size):
    # build competition ranks from group sizes
    ranks = []
    for group in steps:
        ranks += [len(ranks) + 1] * group
    standings = rows(ranks)
    b = break_teams(standings, size)
    if len(ranks) <= size or ranks[size - 1] != ranks[size]:
        assert b.clean and len(b.seeds) == min(size, len(ranks))
    else:
        cut = ranks[size - 1]
        assert b.tie_at_cut == [r.team_id for r in standings if r.rank == cut]
        assert len(b.seeds) == sum(1 for r in ranks if r < cut)
        assert b.places_left == size - len(b.seeds) and 0 < b.places_left < len(b.tie_at_cut)
        chosen = b.tie_at_cut[-b.places_left:]
        full = break_teams(standings, size, include=chosen)
        assert full.clean and len(full.seeds) == size
        assert set(t for _, t in full.seeds) == {r.team_id for r in standings if r.rank < cut} | set(chosen)
    assert [s for s, _ in b.seeds] == list(range(1, len(b.seeds) + 1))


# ---------------------------------------------------------------- bracket order
def test_bracket_order_powers_of_two():
    assert bracket_order(2) == [(1, 2)]
    assert bracket_order(4) == [(1, 4), (2, 3)]
    assert bracket_order(8) == [(1, 8), (4, 5), (2, 7), (3, 6)]
    assert bracket_order(16) == [(1, 16), (8, 9), (4, 13), (5, 12), (2, 15), (7, 10), (3, 14), (6, 11)]


def test_bracket_order_with_byes():
    assert bracket_order(6) == [(1, None), (4, 5), (2, None), (3, 6)]
    assert bracket_order(12) == [(1, None), (8, 9), (4, None), (5, 12), (2, None), (7, 10), (3, None), (6, 11)]
    assert bracket_order(3) == [(1, None), (2, 3)]
    with pytest.raises(BracketError):
        bracket_order(1)


@pytest.mark.parametrize("size", range(2, 65))
def test_bracket_order_invariants(size):
    pairs = bracket_order(size)
    n = 1 << (size - 1).bit_length()
    assert len(pairs) == n // 2
    seeds = [s for p in pairs for s in p if s is not None]
    assert sorted(seeds) == list(range(1, size + 1))
    byes = sorted(a for a, b in pairs if b is None)
    assert byes == list(range(1, n - size + 1))  # the top seeds get the byes
    for a, b in pairs:
        if b is not None:
            assert a + b == n + 1 and a < b
    # the two top seeds can only meet in the final: 1 in the first half, 2 in the second
    if len(pairs) > 1:
        half = [s for p in pairs[: len(pairs) // 2] for s in p]
        assert 1 in half and 2 not in half


def test_stage_names():
    assert stage_names(2) == ["final"]
    assert stage_names(4) == ["semifinal", "final"]
    assert stage_names(8) == ["quarterfinal", "semifinal", "final"]
    assert stage_names(6) == stage_names(8)
    assert stage_names(16) == ["octofinal", "quarterfinal", "semifinal", "final"]
    assert stage_names(12) == stage_names(16)
    assert stage_names(32)[0] == "round_of_32" and len(stage_names(32)) == 5


# ---------------------------------------------------------------- next round along the bracket
def test_quarterfinals_to_final():
    seeds_to_team = {s: 100 + s for s in range(1, 9)}
    qf = [(seeds_to_team[a], seeds_to_team[b]) for a, b in bracket_order(8)]
    assert qf == [(101, 108), (104, 105), (102, 107), (103, 106)]
    # upsets: 5 beats 4, 7 beats 2
    sf = next_round_pairs(qf, {0: 101, 1: 105, 2: 107, 3: 103})
    assert sf == [(101, 105), (107, 103)]  # winners of (1-8, 4-5) and of (2-7, 3-6)
    final = next_round_pairs(sf, {(101, 105): 105, (107, 103): 103})  # keyed by pair
    assert final == [(105, 103)]
    assert next_round_pairs(final, {0: 103}) == []


def test_byes_advance():
    r1 = [(1, None), (4, 5), (2, None), (3, 6)]
    assert next_round_pairs(r1, {1: 5, 3: 3}) == [(1, 5), (2, 3)]


def test_next_round_errors():
    with pytest.raises(BracketError) as e:
        next_round_pairs([(1, 8), (4, 5)], {0: 1})
    assert e.value.code == "missing_winner" and e.value.params == {"pair": 1}
    with pytest.raises(BracketError) as e:
        next_round_pairs([(1, 8), (4, 5)], {0: 1, 1: 8})
    assert e.value.code == "winner_not_in_pair"
    with pytest.raises(BracketError) as e:
        next_round_pairs([(1, 8), (4, 5), (2, 7)], {0: 1, 1: 4, 2: 2})
    assert e.value.code == "odd_round"


@settings(deadline=None, max_examples=100)
@given(st.integers(2, 40), st.integers(0, 2**32 - 1))
def test_whole_bracket_to_a_champion(size, seed):
    """Run random winners through the bracket; seeds 1 and 2 meet only in the final, and
    the better seed always wins when the higher seed wins every debate."""
    rng = random.Random(seed)
    for favourites in (False, True):
        rnd = bracket_order(size)
        stages = stage_names(size)
        played = 0
        alive = set(range(1, size + 1))
        while True:
            assert len(rnd) == 2 ** (len(stages) - played - 1)
            winners = {}
            for i, (a, b) in enumerate(rnd):
                if b is not None:
                    if {a, b} == {1, 2}:
                        assert len(rnd) == 1  # only the final
                    w = min(a, b) if favourites else rng.choice([a, b])
                    winners[i] = w
                    alive.discard(b if w == a else a)
            played += 1
            nxt = next_round_pairs(rnd, winners)
            if not nxt:
                break
            rnd = nxt
        assert played == len(stages)
        assert len(alive) == 1
        if favourites:
            assert alive == {1} and rnd == [(1, 2)]


def test_elimination_sides():
    assert elimination_sides(1, 8, method="higher_seed_choice", choice="gov") == (1, 8)
    assert elimination_sides(1, 8, method="higher_seed_choice", choice="opp") == (8, 1)
    with pytest.raises(BracketError) as e:
        elimination_sides(1, 8, method="higher_seed_choice")
    assert e.value.code == "invalid_choice"
    with pytest.raises(BracketError) as e:
        elimination_sides(1, 8, method="rock_paper_scissors")
    assert e.value.code == "invalid_method"
    outcomes = {elimination_sides(1, 8, seed=s) for s in range(50)}
    assert outcomes == {(1, 8), (8, 1)}  # both sides happen
    assert all(elimination_sides(1, 8, seed=s) == elimination_sides(1, 8, seed=s) for s in range(20))
    assert elimination_sides(1, 8, method="coin_toss", seed=3) == \
        ((1, 8) if random.Random(3).random() < 0.5 else (8, 1))
