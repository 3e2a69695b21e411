"""The break and the elimination bracket.

Pure Python. Problems are raised as BracketError(code, params): codes, never text.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field


class BracketError(ValueError):
    def __init__(self, code: str, params: dict | None = None):
        super().__init__(code)
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class BreakResult:
    seeds: list  # [(seed, team_id)]; when tie_at_cut is non-empty only the clean teams
    tie_at_cut: list = field(default_factory=list)  # team ids sharing the rank across the cut
    places_left: int = 0  # how many of tie_at_cut fit (director: widen or choose)

    @property
    def clean(self) -> bool:
        return not self.tie_at_cut


def break_teams(standings, size: int, include=None) -> BreakResult:
    """Break the top `size` teams of `standings` (TeamRow-like: .rank, .team_id, in order).

    If the rank straddling the cut is shared, the result reports those teams in
    `tie_at_cut` with `places_left` and seeds only the teams above them; nothing is broken
    silently. The director then widens (call again with a larger size) or chooses: call
    again with include=[team ids from tie_at_cut], exactly `places_left` of them; they are
    seeded in standings order.
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise BracketError("invalid_size", {"size": size})
    rows = list(standings)
    if len(rows) <= size:
        if include:
            raise BracketError("no_tie_at_cut", {})
        return BreakResult(seeds=[(i + 1, r.team_id) for i, r in enumerate(rows)])
    cut_rank = rows[size - 1].rank
    if rows[size].rank != cut_rank:
        if include:
            raise BracketError("no_tie_at_cut", {})
        return BreakResult(seeds=[(i + 1, r.team_id) for i, r in enumerate(rows[:size])])
    above = [r.team_id for r in rows if r.rank < cut_rank]
    tied = [r.team_id for r in rows if r.rank == cut_rank]
    left = size - len(above)
    seeds = [(i + 1, t) for i, t in enumerate(above)]
    if include is None:
        return BreakResult(seeds=seeds, tie_at_cut=tied, places_left=left)
    chosen = list(dict.fromkeys(include))
    stray = [t for t in chosen if t not in tied]
    if stray:
        raise BracketError("include_not_at_cut", {"team_ids": stray, "tie_at_cut": tied})
    if len(chosen) != left:
        raise BracketError("include_wrong_count", {"expected": left, "got": len(chosen)})
    chosen_set = set(chosen)
    for t in tied:
        if t in chosen_set:
            seeds.append((len(seeds) + 1, t))
    return BreakResult(seeds=seeds)


def _bracket_size(size: int) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 2:
        raise BracketError("invalid_size", {"size": size})
    n = 1
    while n < size:
        n *= 2
    return n


def _seed_order(n: int) -> list[int]:
    order = [1]
    while len(order) < n:
        m = 2 * len(order)
        order = [x for s in order for x in (s, m + 1 - s)]
    return order


def bracket_order(size: int) -> list[tuple[int, int | None]]:
    """First elimination round by seed in bracket order; 8 -> (1,8),(4,5),(2,7),(3,6).
    A size that is not a power of two is padded to the next one: the top seeds get byes,
    written (seed, None)."""
    n = _bracket_size(size)
    order = _seed_order(n)
    return [(order[i], order[i + 1] if order[i + 1] <= size else None)
            for i in range(0, n, 2)]


_NAMES = {2: "final", 4: "semifinal", 8: "quarterfinal", 16: "octofinal"}


def stage_names(size) -> list[str]:
    """8 -> ["quarterfinal", "semifinal", "final"]; 16 adds "octofinal"; 32 and more
    start with "round_of_32", "round_of_64", ...; a non-power of two as the next power."""
    n = _bracket_size(size)
    names = []
    while n >= 2:
        names.append(_NAMES.get(n, f"round_of_{n}"))
        n //= 2
    return names


def next_round_pairs(prev, winners: dict) -> list[tuple[int, int]]:
    """Next round along the bracket: winners of pairs 0 and 1 meet, 2 and 3, and so on.

    `prev` is the previous round's pairs of team ids in bracket order, (team, None) for a
    bye; `winners` maps a pair's index in `prev` (or the pair tuple itself) to the winning
    team id. A bye's team advances without an entry. After the final it returns []."""
    prev = list(prev)
    if len(prev) <= 1:
        return []
    if len(prev) % 2:
        raise BracketError("odd_round", {"pairs": len(prev)})
    advancing = []
    for i, pair in enumerate(prev):
        a, b = pair
        if b is None or a is None:
            advancing.append(a if b is None else b)
            continue
        w = winners.get(i, winners.get(tuple(pair)))
        if w is None:
            raise BracketError("missing_winner", {"pair": i})
        if w not in (a, b):
            raise BracketError("winner_not_in_pair", {"pair": i, "team_id": w})
        advancing.append(w)
    return [(advancing[i], advancing[i + 1]) for i in range(0, len(advancing), 2)]


# How elimination_sides chooses sides (the setting elimination_sides offers exactly these).
ELIMINATION_SIDE_METHODS = ("coin_toss", "higher_seed_choice")


def elimination_sides(higher_seed, lower_seed, method="coin_toss", seed=0, choice=None):
    """(gov, opp) for an elimination debate: "coin_toss" with random.Random(seed), or
    "higher_seed_choice" where the director enters the higher seed's choice "gov"/"opp"."""
    if method == "coin_toss":
        if random.Random(seed).random() < 0.5:
            return (higher_seed, lower_seed)
        return (lower_seed, higher_seed)
    if method == "higher_seed_choice":
        if choice == "gov":
            return (higher_seed, lower_seed)
        if choice == "opp":
            return (lower_seed, higher_seed)
        raise BracketError("invalid_choice", {"choice": choice})
    raise BracketError("invalid_method", {"method": method})
