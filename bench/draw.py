"""Benchmark the power-matched draw against a per-bracket networkx blossom baseline.

Run from the repository root:  .venv/bin/python bench/draw.py  [--sizes 20,200,1000,2000]

For each league size: 3 rounds of random results are simulated with make_draw, then the
round-4 draw is timed (best of --repeats).  In the same run, the baseline does what other
tab programs do: the same brackets and pull-ups, then networkx
max_weight_matching(maxcardinality=True) on each bracket's complete graph, weights from the
same cost function (DrawPlan.cost).  Both matchings are scored with that one cost function.
A baseline whose projected time exceeds --baseline-cap seconds is skipped (reported).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import replace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import networkx as nx  # noqa: E402

from debate.tab.draw import DrawOptions, DrawTeam, make_draw, plan_draw  # noqa: E402


def make_league(n: int, rng: random.Random) -> list[DrawTeam]:
    n_regions = 17
    n_schools = max(2, n // 3)
    school_region = {s: rng.randrange(n_regions) for s in range(n_schools)}
    teams = []
    for i in range(1, n + 1):
        s = rng.randrange(n_schools)
        teams.append(DrawTeam(id=i, school=f"S{s}", region=f"R{school_region[s]}"))
    return teams


def play(teams: list[DrawTeam], draw, rng: random.Random) -> list[DrawTeam]:
    """Apply random results of a draw to the teams."""
    by_id = {t.id: t for t in teams}
    out = {}
    for d in draw.debates:
        g, o = by_id[d.gov], by_id[d.opp]
        gov_wins = rng.random() < 0.5
        gp, op = rng.uniform(140, 160), rng.uniform(140, 160)
        out[g.id] = replace(
            g, wins=g.wins + gov_wins, points=g.points + gp, gov_count=g.gov_count + 1,
            opponents=g.opponents | {o.id}, pullups=g.pullups + ("pullup:gov" in d.flags))
        out[o.id] = replace(
            o, wins=o.wins + (not gov_wins), points=o.points + op, opp_count=o.opp_count + 1,
            opponents=o.opponents | {g.id}, pullups=o.pullups + ("pullup:opp" in d.flags))
    if draw.bye is not None:
        b = by_id[draw.bye]
        out[b.id] = replace(b, wins=b.wins + 1, points=b.points + 150.0, had_bye=True)
    return [out[t.id] for t in teams]


def league_after(n: int, rounds: int, seed: int) -> list[DrawTeam]:
    rng = random.Random(seed)
    teams = make_league(n, rng)
    for r in range(1, rounds + 1):
        teams = play(teams, make_draw(teams, r, seed + r), rng)
    return teams


def baseline(teams, round_number, seed, options=DrawOptions()):
    """Per-bracket complete-graph blossom, same brackets/pull-ups and same edge costs."""
    plan, _ = plan_draw(teams, round_number, seed, options)
    pairs = []
    for members in plan.brackets:
        g = nx.Graph()
        edges = [(a, b, plan.cost(a, b)) for x, a in enumerate(members) for b in members[x + 1:]]
        big = max(c for _, _, c in edges) + 1
        g.add_weighted_edges_from((a, b, big - c) for a, b, c in edges)
        pairs.extend(nx.max_weight_matching(g, maxcardinality=True))
    assert 2 * len(pairs) == len(plan.teams)
    return plan, pairs


def our_cost(teams, draw, round_number, seed, options=DrawOptions()):
    plan, _ = plan_draw(teams, round_number, seed, options)
    idx = {t.id: k for k, t in enumerate(plan.teams)}
    return plan.matching_cost([(idx[d.gov], idx[d.opp]) for d in draw.debates])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20,200,1000,2000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--baseline-cap", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"python {sys.version.split()[0]}, cores {os.cpu_count()}")
    print(f"{'teams':>6} {'ours (s)':>9} {'baseline (s)':>13} {'ratio':>8} "
          f"{'cost ours':>22} {'cost baseline':>22} {'ours<=base':>10}  solver path")
    last = None  # (size, baseline time) for projecting the cap
    for n in sizes:
        teams = league_after(n, 3, args.seed + n)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            draw = make_draw(teams, 4, args.seed)
            times.append(time.perf_counter() - t0)
        ours = min(times)
        cost = our_cost(teams, draw, 4, args.seed)
        assert cost == draw.cost or abs(cost - draw.cost) <= 1e-9 * cost
        plan, _ = plan_draw(teams, 4, args.seed)
        from debate.tab.draw import _solve
        how = ",".join(sorted(set(_solve(plan)[1])))
        # the baseline is ~cubic in the largest bracket
        biggest = max(len(m) for m in plan.brackets)
        projected = None
        if last is not None:
            projected = last[1] * (biggest / last[0]) ** 3
        if projected is not None and projected > args.baseline_cap:
            print(f"{n:>6} {ours:>9.3f} {'skipped':>13} {'-':>8} {cost:>22} {'-':>22} {'-':>10}  {how}"
                  f"   (baseline projected ~{projected:.0f} s > cap {args.baseline_cap:.0f} s)")
            continue
        t0 = time.perf_counter()
        bplan, bpairs = baseline(teams, 4, args.seed)
        bt = time.perf_counter() - t0
        bcost = bplan.matching_cost(bpairs)
        last = (biggest, bt)
        print(f"{n:>6} {ours:>9.3f} {bt:>13.3f} {bt / ours:>7.1f}x {cost:>22} {bcost:>22} "
              f"{str(cost <= bcost):>10}  {how}")


if __name__ == "__main__":
    main()
