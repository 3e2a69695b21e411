"""Benchmark for debate.tab.allocation.allocate.

Run:  .venv/bin/python bench/allocation.py [--quick]

1. 1,000 debates (kk / ru / en leagues) and 2,500 adjudicators with random languages,
   regions, schools, ratings, seen teams and loads; panel_size 3; time ``allocate``.
2. Baseline in the same run: the pure-Python Hungarian method of the ``munkres`` package on
   the SAME cost matrix (the assignment step of ``allocate``: chosen seats x adjudicators) at
   50 / 100 / 200 debates with 2.5 adjudicators per debate, against ``allocate`` end to end
   and against scipy's ``linear_sum_assignment`` on that matrix alone; the two optimal costs
   must agree.
"""
from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from munkres import Munkres  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from debate.tab import allocation as al  # noqa: E402

REGIONS = ("abai akmola aktobe almaty_region atyrau east_kazakhstan jambyl jetisu karaganda "
           "kostanay kyzylorda mangystau north_kazakhstan pavlodar turkistan ulytau "
           "west_kazakhstan astana almaty shymkent").split()
LANGS = ("kk", "ru", "en")


def make_instance(n_debates: int, n_adjs: int, seed: int = 1):
    rnd = random.Random(seed)
    schools = [f"school {i}" for i in range(max(10, n_debates // 2))]
    debates, t = [], 0
    for i in range(n_debates):
        debates.append(al.DebateInfo(
            id=i, language=LANGS[i % 3], team_ids=(t, t + 1),
            team_schools=(rnd.choice(schools), rnd.choice(schools)),
            team_regions=(rnd.choice(REGIONS), rnd.choice(REGIONS)),
            importance=rnd.random()))
        t += 2
    adjs = []
    for j in range(n_adjs):
        langs = {rnd.choice(LANGS)}
        if rnd.random() < 0.4:
            langs.add(rnd.choice(LANGS))
        adjs.append(al.AdjInfo(
            id=j, languages=frozenset(langs), rating=round(rnd.uniform(2, 10), 1),
            school=rnd.choice(schools), region=rnd.choice(REGIONS),
            conflict_team_ids=frozenset(rnd.sample(range(t), 1)) if rnd.random() < 0.1 else frozenset(),
            seen_team_ids=frozenset(rnd.sample(range(t), 3)), rounds_judged=rnd.randint(0, 3)))
    return debates, adjs


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(quick: bool = False):
    print(f"python {platform.python_version()}, nproc {os.cpu_count()}, numpy {np.__version__}")
    print()
    # ---- 1. the big round
    debates, adjs = make_instance(1000, 2500)
    t_all, res = timed(lambda: al.allocate(debates, adjs, panel_size=3), 1 if quick else 3)
    t_build, prob = timed(lambda: al._build(debates, adjs, 3, True, 0), 1)
    t_solve, _ = timed(lambda: linear_sum_assignment(prob.cost), 1)
    filled = sum(len(p) for p in res.panels.values())
    full = sum(1 for p in res.panels.values() if len(p) == 3)
    print("1,000 debates x 2,500 adjudicators, panel_size 3")
    print(f"  allocate (median of {1 if quick else 3}): {t_all:.3f} s   "
          f"[build+seat selection {t_build:.3f} s, linear_sum_assignment {prob.cost.shape[0]}x"
          f"{prob.cost.shape[1]} {t_solve:.3f} s]")
    print(f"  seats filled {filled} / 3000, full panels {full}, debates without anyone "
          f"{sum(1 for p in res.panels.values() if not p)}, unfilled reported {len(res.unfilled)}")
    print()
    # ---- 2. baseline: munkres on the same cost matrix
    sizes = (50, 100) if quick else (50, 100, 200, 400)
    print(f"{'debates':>7} {'adjs':>5} {'matrix':>9} {'allocate s':>10} {'scipy LSA s':>11} "
          f"{'munkres s':>9} {'munkres/alloc':>13} {'munkres/LSA':>11} {'cost ours':>12} {'cost munkres':>12}  equal")
    for n in sizes:
        d, a = make_instance(n, int(n * 2.5), seed=n)
        t_ours, _ = timed(lambda: al.allocate(d, a, panel_size=3), 5)
        p = al._build(d, a, 3, True, 0)
        t_lsa, (r, c) = timed(lambda: linear_sum_assignment(p.cost), 5)
        ours = float(p.cost[r, c].sum())
        rows = p.cost.tolist()
        t0 = time.perf_counter()
        idx = Munkres().compute(rows)
        t_m = time.perf_counter() - t0
        theirs = float(sum(p.cost[i, j] for i, j in idx))
        equal = abs(ours - theirs) <= 1e-9 * max(1.0, abs(theirs))
        print(f"{n:>7} {len(a):>5} {p.cost.shape[0]:>4}x{p.cost.shape[1]:<4} {t_ours:>10.4f} {t_lsa:>11.4f} "
              f"{t_m:>9.2f} {t_m / t_ours:>12.0f}x {t_m / t_lsa:>10.0f}x {ours:>12.4f} {theirs:>12.4f}  "
              f"{'yes' if equal else ('ours lower' if ours < theirs else 'NO')}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
