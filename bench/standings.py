"""Benchmark: team and speaker standings for a 2,000-team league after 4 rounds.

Run from the repository root:  .venv/bin/python bench/standings.py [--teams N] [--rounds R]

Prints the time of debate.tab.standings (median of several runs) and, as the in-run
baseline, a naive implementation that finds each team's results, each opponent's wins and
each speaker's marks by scanning the whole result list (O(n^2)), and the ratio.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from debate.tab.standings import (SpeakerResult, TeamResult, speaker_standings,  # noqa: E402
                                  team_standings)


def league(n_teams: int, n_rounds: int, seed: int = 1):
    rng = random.Random(seed)
    team_ids = list(range(1, n_teams + 1))
    speakers = [(2 * t + k, t) for t in team_ids for k in (0, 1)]
    team_results, speaker_results = [], []
    for rnd in range(1, n_rounds + 1):
        order = team_ids[:]
        rng.shuffle(order)
        if len(order) % 2:
            t = order.pop()
            team_results.append(TeamResult(rnd, t, None, None, True, None, None, 0, 0, True))
        for i in range(0, len(order), 2):
            gov, opp = order[i], order[i + 1]
            marks = {t: [rng.randint(44, 60) / 2 for _ in range(2)] for t in (gov, opp)}
            gp, op = sum(marks[gov]), sum(marks[opp])
            gov_won = gp > op or (gp == op and rng.random() < 0.5)
            team_results.append(TeamResult(rnd, gov, opp, "gov", gov_won, gp, gp - op,
                                           3 if gov_won else 0, 3))
            team_results.append(TeamResult(rnd, opp, gov, "opp", not gov_won, op, op - gp,
                                           0 if gov_won else 3, 3))
            for t in (gov, opp):
                for k in (0, 1):
                    speaker_results.append(SpeakerResult(rnd, 2 * t + k, t, marks[t][k]))
    return team_ids, speakers, team_results, speaker_results


def naive_team_standings(team_ids, results):
    rows = []
    for t in team_ids:
        own = [r for r in results if r.team_id == t]  # full scan per team
        played = [r.points for r in own if not r.bye and r.points is not None]
        avg = sum(played) / len(played) if played else 0.0
        wins = sum(1 for r in own if r.won or r.bye)
        points = sum((r.points if r.points is not None else avg) if r.bye else (r.points or 0.0)
                     for r in own)
        ds = 0
        for r in own:
            if r.bye or r.opponent_id is None:
                continue
            ds += sum(1 for r2 in results if r2.team_id == r.opponent_id and (r2.won or r2.bye))
        rows.append((t, wins, round(points, 6), ds))
    rows.sort(key=lambda x: (-x[1], -x[2], -x[3], x[0]))
    out = []
    for i, row in enumerate(rows):
        rank = i + 1 if i == 0 or rows[i - 1][1:] != row[1:] else out[-1][0]
        out.append((rank, row[0]))
    return out


def naive_speaker_standings(speakers, results, rounds_held, max_missed=1):
    rows = []
    for sid, tid in speakers:
        own = [r for r in results if r.speaker_id == sid]  # full scan per speaker
        total = round(sum(r.mark for r in own), 6)
        ok = bool(own) and rounds_held - len({r.round_number for r in own}) <= max_missed
        rows.append((not ok, -total, sid))
    rows.sort()
    return rows


def timed(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teams", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    team_ids, speakers, tres, sres = league(args.teams, args.rounds)
    print(f"league: {len(team_ids)} teams, {len(speakers)} speakers, {args.rounds} rounds, "
          f"{len(tres)} team results, {len(sres)} speaker results")
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} "
          f"({platform.machine()})")

    t_team, rows = timed(lambda: team_standings(team_ids, tres), args.repeat)
    t_spk, srows = timed(lambda: speaker_standings(speakers, sres, args.rounds), args.repeat)
    n_team, nrows = timed(lambda: naive_team_standings(team_ids, tres), 1)
    n_spk, nsrows = timed(lambda: naive_speaker_standings(speakers, sres, args.rounds), 1)

    # the two implementations must agree (default precedence)
    assert [(r.rank, r.team_id) for r in rows] == nrows, "team standings disagree"
    assert [r.speaker_id for r in srows] == [s for _, _, s in nsrows], "speaker standings disagree"

    fast, naive = t_team + t_spk, n_team + n_spk
    print(f"team_standings     {t_team * 1000:8.1f} ms   naive {n_team * 1000:9.1f} ms   "
          f"x{n_team / t_team:,.0f}")
    print(f"speaker_standings  {t_spk * 1000:8.1f} ms   naive {n_spk * 1000:9.1f} ms   "
          f"x{n_spk / t_spk:,.0f}")
    print(f"total              {fast * 1000:8.1f} ms   naive {naive * 1000:9.1f} ms   "
          f"x{naive / fast:,.0f}   (goal: well under 200 ms)")


if __name__ == "__main__":
    main()
