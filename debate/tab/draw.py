"""The draw: who debates whom, on which side, for one round of an APF tournament.

Pure Python over simple dataclasses (no Flask, no SQLAlchemy, nothing from ``debate``
outside ``debate.tab``).  The web layer builds ``DrawTeam`` rows and calls ``make_draw``.

Algorithm
---------
1.  The bye (odd league) goes to the lowest-ranked team without a bye (round 1: a random
    team, or the lowest seed when seeded).
2.  The remaining teams are ranked (round >= 2: wins desc, points desc, id) and cut into
    brackets by wins.  An odd bracket pulls one team up from the next non-empty bracket
    below (``DrawOptions.pullup``); the pulled-up team sits at the bottom of the bracket it
    joins.  This gives every team an *effective bracket* and a *position* in it.  Round 1 is
    one bracket in random (or seed) order.
3.  Every pair of teams gets one integer cost whose tiers are lexicographic (each weight is
    larger than the largest possible total of all lower tiers over a whole draw):
    rematch > bracket crossings beyond the designated pull-ups > same school > same region
    > side conflict (both teams need the same side) > distance from the ideal fold/slide
    partner.  The draw is a minimum-cost perfect matching of the whole league under it.
4.  Solving it fast: while no rematch is forced, the optimum never crosses an effective
    bracket (tier 2 dominates everything below), so the league decomposes by bracket.  Each
    bracket is solved as a dense linear assignment (scipy, C speed) on its symmetric cost
    matrix.  An assignment is a minimum-cost *cycle cover*; its cost is a lower bound of
    twice the best perfect matching, and every even cycle splits into two alternating
    matchings, the cheaper of which costs at most half the cycle.  So when all cycles are
    even we get a provably optimal matching.  Odd cycles (rare: never seen in simulated
    leagues, only with contrived histories) fall back to blossom (networkx), exact on a
    sparse candidate graph (k cheapest partners, k nearest to the ideal position, the
    assignment's own edges).  A bracket whose best matching still contains a
    rematch triggers the cross-bracket fallback (``_global_fallback``): exact complete-graph
    blossom for leagues up to ``_COMPLETE_LIMIT`` teams; above that, rematch-free cycle
    covers over the neighbouring brackets / whole league, then a densifying sparse blossom.
    That last path matched the brute-force rematch count in every test but is not proven
    optimal (in ~1% of contrived small cases it pays extra bracket crossings).
    Small leagues (<= ``SMALL_LEAGUE`` teams) are solved exactly on the complete graph.
5.  Sides: the team that has been Government less often takes Government ("side_forced");
    equal Government counts, more Opposition takes Government ("side_forced"); otherwise a
    coin toss from ``random.Random(seed)`` ("coin_toss").
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

__all__ = [
    "DrawTeam",
    "Pairing",
    "Draw",
    "DrawOptions",
    "DrawPlan",
    "plan_draw",
    "make_draw",
    "DRAW_METHODS",
    "PULLUP_RULES",
    "ROUND1_METHODS",
]

# Leagues up to this many teams are solved on the complete graph (exact, a few ms).
SMALL_LEAGUE = 48
# Candidate-graph density for the sparse blossom fallbacks.
_K_SPARSE = 10
# The rematch fallback uses the complete graph on up to this many teams.
_COMPLETE_LIMIT = 160


@dataclass(frozen=True)
class DrawTeam:
    id: int
    wins: float = 0  # a bye counts as a win (the caller has already added it)
    points: float = 0.0  # total speaker points so far
    gov_count: int = 0  # times Government so far
    opp_count: int = 0  # times Opposition so far
    opponents: frozenset = frozenset()  # ids of teams already met
    school: str | None = None
    region: str | None = None
    pullups: int = 0  # times pulled up so far
    had_bye: bool = False
    seed_rank: int | None = None  # for a seeded round 1: 1 = best


@dataclass
class Pairing:
    gov: int
    opp: int
    bracket: float  # the wins of the bracket the debate sits in (the higher team's wins)
    flags: list[str] = field(default_factory=list)


@dataclass
class Draw:
    debates: list[Pairing]
    bye: int | None  # team id with the bye, or None
    seed: int  # the random seed used
    brackets: list[dict]  # {"wins": w, "teams": n, "pullups_in": k, "debates": m}
    cost: float  # total cost of the matching (same cost function as DrawPlan.cost)


@dataclass(frozen=True)
class DrawOptions:
    method: str = "fold"  # "fold" (top vs bottom) or "slide" (top half vs bottom half)
    pullup: str = "least_then_lowest"  # or "lowest", or "highest"
    round1: str = "random"  # "random" or "seeded"
    avoid_region: bool = True


# The choices of DrawOptions (debate/settings.py offers exactly these to directors).
DRAW_METHODS = ("fold", "slide")
PULLUP_RULES = ("least_then_lowest", "lowest", "highest")
ROUND1_METHODS = ("random", "seeded")


# --------------------------------------------------------------------------- planning


@dataclass
class DrawPlan:
    """Everything the matching needs: the ranked teams (bye removed) and the cost function.

    Teams are referred to by index into ``teams`` (which is in rank order, best first).
    """

    teams: list[DrawTeam]
    bye: int | None
    brackets: list[list[int]]  # effective brackets (after pull-ups), indices in position order
    eb: list[int]  # effective bracket of each team
    pos: list[int]  # position of each team inside its effective bracket
    pulled: set[int]  # indices of the designated pull-ups
    parity_pullups: int
    method: str
    avoid_region: bool
    round_number: int
    opp_idx: list[set[int]]
    side_need: list[int]  # gov_count - opp_count
    weights: dict[str, int]

    # ---- cost components
    def rematch(self, i: int, j: int) -> bool:
        return j in self.opp_idx[i]

    def same_school(self, i: int, j: int) -> bool:
        a, b = self.teams[i].school, self.teams[j].school
        return a is not None and a == b

    def same_region(self, i: int, j: int) -> bool:
        a, b = self.teams[i].region, self.teams[j].region
        return a is not None and a == b

    def side_conflict(self, i: int, j: int) -> int:
        a, b = self.side_need[i], self.side_need[j]
        return min(abs(a), abs(b)) if a * b > 0 else 0

    def position_cost(self, i: int, j: int) -> int:
        if self.eb[i] != self.eb[j]:
            return abs(i - j)
        s = len(self.brackets[self.eb[i]])
        return _pos_cost(self.method, self.pos[i], self.pos[j], s)

    def ideal_partner(self, i: int) -> int:
        members = self.brackets[self.eb[i]]
        s, p = len(members), self.pos[i]
        if self.method == "fold":
            q = s - 1 - p
        else:
            q = p + s // 2 if p < s // 2 else p - s // 2
        return members[q]

    def cost(self, i: int, j: int) -> int:
        """Exact integer cost of pairing teams i and j (indices), lexicographic tiers."""
        w = self.weights
        c = self.position_cost(i, j)
        c += w["side"] * self.side_conflict(i, j)
        if self.avoid_region and self.same_region(i, j):
            c += w["region"]
        if self.same_school(i, j):
            c += w["school"]
        c += w["bracket"] * abs(self.eb[i] - self.eb[j])
        if self.rematch(i, j):
            c += w["rematch"]
        return c

    def matching_cost(self, pairs) -> int:
        return sum(self.cost(i, j) for i, j in pairs)


def _pos_cost(method: str, p: int, q: int, s: int) -> int:
    if method == "fold":
        return abs(p + q - (s - 1))
    return abs(abs(p - q) - s // 2)


def _rank_key(t: DrawTeam):
    return (-t.wins, -t.points, t.id)


def plan_draw(
    teams: list[DrawTeam], round_number: int, seed: int, options: DrawOptions = DrawOptions()
) -> tuple[DrawPlan, random.Random]:
    """Choose the bye, rank, bracket and pull up; build the cost function."""
    if options.method not in DRAW_METHODS:
        raise ValueError(f"unknown draw method {options.method!r}")
    if options.pullup not in PULLUP_RULES:
        raise ValueError(f"unknown pull-up rule {options.pullup!r}")
    if options.round1 not in ROUND1_METHODS:
        raise ValueError(f"unknown round-1 rule {options.round1!r}")
    ids = [t.id for t in teams]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate team ids")
    rng = random.Random(seed)
    pool = sorted(teams, key=lambda t: t.id)
    bye: int | None = None
    first = round_number <= 1

    if first:
        if options.round1 == "seeded":
            big = len(pool) + 1
            pool.sort(key=lambda t: (t.seed_rank if t.seed_rank is not None else big, t.id))
        if len(pool) % 2:
            cands = [t for t in pool if not t.had_bye] or pool
            if options.round1 == "seeded":
                b = cands[-1]
            else:
                b = rng.choice(cands)
            bye = b.id
            pool = [t for t in pool if t.id != bye]
        if options.round1 == "random":
            rng.shuffle(pool)
        groups = [pool] if pool else []
    else:
        pool.sort(key=_rank_key)
        if len(pool) % 2:
            cands = [t for t in pool if not t.had_bye] or pool
            bye = cands[-1].id
            pool = [t for t in pool if t.id != bye]
        groups = []
        for t in pool:
            if groups and groups[-1][0].wins == t.wins:
                groups[-1].append(t)
            else:
                groups.append([t])

    # pull-ups, cascading down
    pulled_ids: set[int] = set()
    eff: list[list[DrawTeam]] = []
    groups = [list(g) for g in groups]
    for bi in range(len(groups)):
        cur = groups[bi]
        if len(cur) % 2:
            below = next(g for g in groups[bi + 1:] if g)  # exists: total is even
            if options.pullup == "highest":
                pick = below[0]
            elif options.pullup == "lowest":
                pick = below[-1]
            else:
                least = min(t.pullups for t in below)
                pick = [t for t in below if t.pullups == least][-1]
            below.remove(pick)
            cur.append(pick)
            pulled_ids.add(pick.id)
        if cur:
            eff.append(cur)

    ordered = [t for g in eff for t in g]
    index = {t.id: k for k, t in enumerate(ordered)}
    brackets, eb, pos = [], [0] * len(ordered), [0] * len(ordered)
    k = 0
    for b, g in enumerate(eff):
        members = list(range(k, k + len(g)))
        for p, m in enumerate(members):
            eb[m], pos[m] = b, p
        brackets.append(members)
        k += len(g)
    opp_idx = [{index[o] for o in t.opponents if o in index} for t in ordered]
    side_need = [t.gov_count - t.opp_count for t in ordered]

    n = len(ordered)
    weights = _weights(n, max((abs(d) for d in side_need), default=0), len(brackets))
    plan = DrawPlan(
        teams=ordered,
        bye=bye,
        brackets=brackets,
        eb=eb,
        pos=pos,
        pulled={index[i] for i in pulled_ids},
        parity_pullups=len(pulled_ids),
        method=options.method,
        avoid_region=options.avoid_region,
        round_number=round_number,
        opp_idx=opp_idx,
        side_need=side_need,
        weights=weights,
    )
    return plan, rng


def _weights(n: int, side_max: int, n_brackets: int, crossing: bool = True) -> dict[str, int]:
    """Tier weights so that each tier outweighs every lower tier summed over a whole draw."""
    pairs = max(n // 2, 1)
    pos_max = max(n, 1)  # a pair's position cost never exceeds n
    w_side = pairs * pos_max + 1
    low = side_max * w_side + pos_max  # max per-pair cost below region
    w_region = pairs * low + 1
    low += w_region
    w_school = pairs * low + 1
    low += w_school
    if crossing:
        w_bracket = pairs * low + 1
        low += max(n_brackets - 1, 0) * w_bracket
    else:
        w_bracket = 0
    w_rematch = pairs * low + 1
    return {"side": w_side, "region": w_region, "school": w_school,
            "bracket": w_bracket, "rematch": w_rematch}


# --------------------------------------------------------------------------- solvers


def _blossom(plan: DrawPlan, nodes, edges) -> list[tuple[int, int]] | None:
    """Exact min-cost maximum matching on the given edges (networkx blossom, integer weights).

    Returns None when the matching is not perfect on ``nodes``."""

    g = nx.Graph()
    g.add_nodes_from(nodes)
    costed = [(i, j, plan.cost(i, j)) for i, j in edges]
    if not costed:
        return [] if not nodes else None
    big = max(c for _, _, c in costed) + 1
    g.add_weighted_edges_from((i, j, big - c) for i, j, c in costed)
    m = nx.max_weight_matching(g, maxcardinality=True)
    if 2 * len(m) != len(nodes):
        return None
    return [(min(a, b), max(a, b)) for a, b in m]


def _complete_edges(nodes):
    nodes = list(nodes)
    return [(a, b) for x, a in enumerate(nodes) for b in nodes[x + 1:]]


def _cost_matrix(plan: DrawPlan, nodes: list[int], forbid_rematch: bool = False) -> np.ndarray:
    """Dense float cost matrix over ``nodes`` (a contiguous run of whole brackets) with tier
    weights computed for this sub-problem.

    The weights are lexicographic for the sub-problem, so its minimisers are exactly the
    minimisers of the global integer cost restricted to matchings of ``nodes``, and the
    entries stay far below 2**53, so the float arithmetic is exact.  With
    ``forbid_rematch`` rematch entries are +inf (the rematch tier then needs no weight)."""
    s = len(nodes)
    idx = np.asarray(nodes)
    d = np.array([plan.side_need[m] for m in nodes], dtype=np.int64)
    side = np.where(d[:, None] * d[None, :] > 0, np.minimum(abs(d)[:, None], abs(d)[None, :]), 0)
    eb = np.array([plan.eb[m] for m in nodes], dtype=np.int64)
    pos = np.array([plan.pos[m] for m in nodes], dtype=np.int64)
    size = np.array([len(plan.brackets[plan.eb[m]]) for m in nodes], dtype=np.int64)
    span = int(eb.max() - eb.min()) + 1 if s else 1
    w = _weights(s, int(abs(d).max()) if s else 0, span, crossing=span > 1)
    if plan.method == "fold":
        intra = np.abs(pos[:, None] + pos[None, :] - (size[:, None] - 1))
    else:
        intra = np.abs(np.abs(pos[:, None] - pos[None, :]) - size[:, None] // 2)
    same_b = eb[:, None] == eb[None, :]
    c = np.where(same_b, intra, np.abs(idx[:, None] - idx[None, :])).astype(np.float64)
    c += w["side"] * side
    if span > 1:
        c += w["bracket"] * np.abs(eb[:, None] - eb[None, :])

    def codes(values):
        table: dict = {}
        out = np.empty(s, dtype=np.int64)
        for k, v in enumerate(values):
            out[k] = -1 - k if v is None else table.setdefault(v, len(table))
        return out

    sc = codes([plan.teams[m].school for m in nodes])
    c += w["school"] * (sc[:, None] == sc[None, :])
    if plan.avoid_region:
        rc = codes([plan.teams[m].region for m in nodes])
        c += w["region"] * (rc[:, None] == rc[None, :])
    first = nodes[0]
    rem = np.inf if forbid_rematch else w["rematch"]
    for a, m in enumerate(nodes):
        for o in plan.opp_idx[m]:
            b = o - first
            if 0 <= b < s:
                c[a, b] += rem
    np.fill_diagonal(c, np.inf)
    return c


def _precise(plan: DrawPlan, nodes: list[int]) -> bool:
    """Are the sub-problem's float entries (rematches forbidden) exact integers, with room
    (2**3) for the sums the assignment solver forms along augmenting paths?"""
    s = len(nodes)
    span = plan.eb[nodes[-1]] - plan.eb[nodes[0]] + 1
    side_max = max(abs(plan.side_need[m]) for m in nodes)
    w = _weights(s, side_max, span, crossing=span > 1)
    top = w["bracket"] * span + w["school"] + w["region"] + w["side"] * side_max + s
    return top < 2**50


def _cycle_cover(plan: DrawPlan, nodes: list[int], c: np.ndarray):
    """Min-cost cycle cover by linear assignment.  Returns (pairs or None, cycle edges,
    feasible).  pairs is a provably optimal perfect matching when every cycle is even."""
    from scipy.optimize import linear_sum_assignment

    try:
        _, col = linear_sum_assignment(c)
    except ValueError:  # no finite assignment (only possible with forbidden entries)
        return None, [], False
    s = len(nodes)
    if not np.isfinite(c[np.arange(s), col]).all():
        return None, [], False
    seen = [False] * s
    pairs: list[tuple[int, int]] = []
    odd = False
    cycle_edges = []
    for start in range(s):
        if seen[start]:
            continue
        cyc = []
        x = start
        while not seen[x]:
            seen[x] = True
            cyc.append(x)
            x = int(col[x])
        cycle_edges.extend((cyc[k], cyc[(k + 1) % len(cyc)]) for k in range(len(cyc)))
        if len(cyc) % 2:
            odd = True
            continue
        ma = [(nodes[cyc[k]], nodes[cyc[k + 1]]) for k in range(0, len(cyc), 2)]
        if len(cyc) == 2:
            pairs.extend(ma)
            continue
        mb = [(nodes[cyc[k + 1]], nodes[cyc[(k + 2) % len(cyc)]]) for k in range(0, len(cyc), 2)]
        pairs.extend(ma if plan.matching_cost(ma) <= plan.matching_cost(mb) else mb)
    return (None if odd else pairs), cycle_edges, True


def _solve_bracket(plan: DrawPlan, members: list[int]) -> tuple[list[tuple[int, int]], str]:
    """Optimal intra-bracket matching. Returns (pairs, how)."""
    s = len(members)
    if s == 2:
        return [(members[0], members[1])], "trivial"
    if s <= SMALL_LEAGUE:
        res = _blossom(plan, members, _complete_edges(members))
        return res, "blossom-complete"
    c = _cost_matrix(plan, members)
    pairs, cycle_edges, _ = _cycle_cover(plan, members, c)
    if pairs is not None:
        return pairs, "assignment"
    # Odd cycles: exact blossom on a sparse candidate graph of this bracket.
    k = min(_K_SPARSE, s - 1)
    edges = set()
    part = np.argpartition(c, k, axis=1)[:, : k + 1]
    for a in range(s):
        for b in part[a]:
            if a != b:
                edges.add((min(a, int(b)), max(a, int(b))))
        ideal = (s - 1 - a) if plan.method == "fold" else (a + s // 2) % s
        for b in range(max(0, ideal - k), min(s, ideal + k + 1)):
            if a != b:
                edges.add((min(a, b), max(a, b)))
    for a, b in cycle_edges:
        if a != b:
            edges.add((min(a, b), max(a, b)))
    res = _blossom(plan, members, [(members[a], members[b]) for a, b in sorted(edges)])
    if res is None:
        res = _blossom(plan, members, _complete_edges(members))
        return res, "blossom-complete"
    return res, "blossom-sparse"


def _solve(plan: DrawPlan) -> tuple[list[tuple[int, int]], list[str]]:
    n = len(plan.teams)
    if n == 0:
        return [], []
    if n <= SMALL_LEAGUE:
        return _blossom(plan, range(n), _complete_edges(range(n))), ["blossom-complete"]
    pairs: list[tuple[int, int]] = []
    how: list[str] = []
    trouble: list[int] = []
    for b, members in enumerate(plan.brackets):
        res, h = _solve_bracket(plan, members)
        how.append(h)
        if any(plan.rematch(i, j) for i, j in res):
            trouble.append(b)
        pairs.extend(res)
    if not trouble:
        return pairs, how
    return _global_fallback(plan, pairs, trouble), how + ["global-fallback"]


def _global_fallback(plan, pairs, trouble):
    """Some bracket cannot avoid a rematch on its own, so the optimum may cross brackets.

    Leagues of up to ``_COMPLETE_LIMIT`` teams: exact blossom on the complete graph.
    Larger: rematch-free minimum cycle covers over the trouble brackets +-1, +-2 and the
    whole league (when the float weights stay exact), other brackets keeping their optimal
    matchings; the cheapest all-even one wins (optimal for its sub-problem).  If none
    exists: blossom on a candidate graph with cross-bracket edges, densified and widened
    while that lowers the rematch count."""
    n = len(plan.teams)
    nb = len(plan.brackets)
    best = pairs
    best_rm = sum(plan.rematch(i, j) for i, j in pairs)
    if n <= _COMPLETE_LIMIT:
        res = _blossom(plan, range(n), _complete_edges(range(n)))
        return res if res is not None else best
    # Rematch-free cycle covers (rematches forbidden) over the trouble brackets +-1, +-2
    # and, when the float weights stay exact, the whole league; keep the cheapest.
    found = []
    tried = set()
    for wide in (1, 2, nb):
        sel = sorted({bb for b in trouble for bb in range(max(0, b - wide), min(nb, b + wide + 1))})
        nodes = [i for b in sel for i in plan.brackets[b]]
        if tuple(sel) in tried or not _precise(plan, nodes):
            continue
        tried.add(tuple(sel))
        res, _, _ = _cycle_cover(plan, nodes, _cost_matrix(plan, nodes, True))
        if res is not None:
            node_set = set(nodes)
            found.append([(i, j) for i, j in best if i not in node_set] + res)
    if found:
        return min(found, key=plan.matching_cost)
    k, wide = _K_SPARSE, 2
    while True:
        sel = sorted({bb for b in trouble for bb in range(max(0, b - wide), min(nb, b + wide + 1))})
        nodes = [i for b in sel for i in plan.brackets[b]]
        node_set = set(nodes)
        full = len(nodes) <= _COMPLETE_LIMIT
        if full:
            edges = set(_complete_edges(nodes))
        else:
            edges = {(i, j) for i, j in best if i in node_set}
            for b in sel:
                members = plan.brackets[b]
                s = len(members)
                for a, i in enumerate(members):
                    ideal = (s - 1 - a) if plan.method == "fold" else (a + s // 2) % s
                    for lo, hi in ((ideal - k, ideal + k + 1), (a - k, a + k + 1)):
                        for j in members[max(0, lo):max(0, min(s, hi))]:
                            if j != i:
                                edges.add((min(i, j), max(i, j)))
            for b in trouble:  # every edge from a trouble bracket to its neighbourhood
                near = [j for bb in range(max(0, b - 2), min(nb, b + 3)) for j in plan.brackets[bb]]
                for i in plan.brackets[b]:
                    for j in near:
                        if i != j:
                            edges.add((min(i, j), max(i, j)))
            for x in range(len(sel) - 1):  # boundary edges between neighbouring brackets
                for i in plan.brackets[sel[x]][-k:]:
                    for j in plan.brackets[sel[x + 1]][:k]:
                        edges.add((i, j))
        res = _blossom(plan, nodes, sorted(edges))
        if res is not None:
            res = [(i, j) for i, j in best if i not in node_set] + res
            rm = sum(plan.rematch(i, j) for i, j in res)
            if rm < best_rm or (rm == best_rm and plan.matching_cost(res) < plan.matching_cost(best)):
                best, best_rm = res, rm
            if rm == 0:
                return best
        if (full and len(nodes) == n) or (not full and k >= 4 * _K_SPARSE):
            return best
        k *= 2
        wide += 1


# --------------------------------------------------------------------------- the draw


def make_draw(
    teams: list[DrawTeam], round_number: int, seed: int, options: DrawOptions = DrawOptions()
) -> Draw:
    plan, rng = plan_draw(teams, round_number, seed, options)
    pairs, _how = _solve(plan)
    ts = plan.teams
    pairs = sorted(((min(i, j), max(i, j)) for i, j in pairs))
    matched = {i: j for i, j in pairs} | {j: i for i, j in pairs}
    debates: list[Pairing] = []
    for i, j in pairs:  # i ranks above j
        a, b = ts[i], ts[j]
        flags: list[str] = []
        if a.gov_count != b.gov_count:
            gov_first = a.gov_count < b.gov_count
            flags.append("side_forced")
        elif a.opp_count != b.opp_count:
            gov_first = a.opp_count > b.opp_count
            flags.append("side_forced")
        else:
            gov_first = rng.random() < 0.5
            flags.append("coin_toss")
        gov, opp = (a, b) if gov_first else (b, a)
        bracket = max(a.wins, b.wins)
        pre: list[str] = []
        if round_number > 1 and a.wins != b.wins:
            pre.append("pullup:gov" if gov.wins < opp.wins else "pullup:opp")
        ideal_i, ideal_j = plan.ideal_partner(i), plan.ideal_partner(j)
        if ideal_i != j:
            for test, flag in ((plan.rematch, "avoided_rematch"),
                               (plan.same_school, "avoided_school"),
                               (plan.same_region, "avoided_region")):
                if flag == "avoided_region" and not plan.avoid_region:
                    continue
                if (test(i, ideal_i) and not test(i, j)) or (test(j, ideal_j) and not test(i, j)):
                    pre.append(flag)
        if plan.rematch(i, j):
            pre.append("rematch")
        if plan.same_school(i, j):
            pre.append("same_school")
        if plan.same_region(i, j):
            pre.append("same_region")
        debates.append(Pairing(gov=gov.id, opp=opp.id, bracket=bracket, flags=pre + flags))
    assert len(matched) == len(ts)
    index = {t.id: k for k, t in enumerate(ts)}
    debates.sort(key=lambda p: (-p.bracket, min(index[p.gov], index[p.opp])))

    brackets: list[dict] = []
    by_wins: dict = {}
    for t in ts:
        by_wins.setdefault(t.wins, {"wins": t.wins, "teams": 0, "pullups_in": 0, "debates": 0})
        by_wins[t.wins]["teams"] += 1
    for d in debates:
        e = by_wins[d.bracket]
        e["debates"] += 1
        if any(f.startswith("pullup:") for f in d.flags):
            e["pullups_in"] += 1
    brackets = [by_wins[w] for w in sorted(by_wins, reverse=True)]
    return Draw(debates=debates, bye=plan.bye, seed=seed, brackets=brackets,
                cost=float(plan.matching_cost(pairs)))

